import { Type, type FastifyPluginAsyncTypebox, type Static } from '@fastify/type-provider-typebox';
import { ctxOf } from '../http/app.ts';
import { IdParams, Page, PageQuery, ProblemResponses, Uuid, VersionField } from '../http/schemas.ts';
import { expectedVersion } from '../http/version.ts';
import { deliverySettingsFrom, testChannel } from './delivery.ts';
import { getMyPreferences, getNotifySettings, putMyPreferences, updateNotifySettings } from './preferences.ts';
// Registers the subscriber that fills webhook channels of domain events (at import, like every subscriber).
import './eventWebhooks.ts';
import {
  countUnread,
  createChannel,
  deleteChannel,
  listChannels,
  listDeliveries,
  listNotifications,
  markAllNotificationsRead,
  markNotificationRead,
  sendTestNotification,
  updateChannel,
} from './service.ts';

const SeverityT = Type.Union([Type.Literal('info'), Type.Literal('warning'), Type.Literal('critical')]);
const NullableString = Type.Union([Type.String(), Type.Null()]);
const NullableTime = Type.Union([Type.String({ format: 'date-time' }), Type.Null()]);
const NullableInt = Type.Union([Type.Integer(), Type.Null()]);

export const Notification = Type.Object({
  id: Type.String(),
  type: Type.String(),
  severity: SeverityT,
  title: Type.String(),
  body: NullableString,
  link: NullableString,
  data: Type.Record(Type.String(), Type.Unknown()),
  createdAt: Type.String({ format: 'date-time' }),
  readAt: NullableTime,
});
export type Notification = Static<typeof Notification>;

export const NotificationQuery = Type.Object(
  {
    unread: Type.Optional(Type.Boolean({ description: 'true: unread only' })),
    ...PageQuery,
  },
  { additionalProperties: false },
);
export type NotificationQuery = Static<typeof NotificationQuery>;

const ChannelSourceT = Type.Union([Type.Literal('notifications'), Type.Literal('events')], {
  description: 'webhook: `notifications` (default) carries users\' notifications by type; `events` carries domain events (type, entity id, time) for integrations',
});

const KindT = Type.Union([Type.Literal('email'), Type.Literal('webhook'), Type.Literal('dingtalk'), Type.Literal('wecom'), Type.Literal('sms')]);

export const ChannelConfigT = Type.Object(
  {
    url: Type.Optional(
      Type.String({ maxLength: 2000, description: 'webhook, sms: http(s) URL to POST to; dingtalk, wecom: the robot endpoint (default the public one; set it to reach a proxy)' }),
    ),
    secret: Type.Optional(Type.String({ minLength: 16, maxLength: 200, description: 'webhook: HMAC key (generated when left out); dingtalk: the 加签 secret; sms: HMAC key. Masked when read' })),
    token: Type.Optional(Type.String({ minLength: 1, maxLength: 300, description: 'dingtalk: access_token; wecom: robot key; sms: API key. Never returned after saving (masked)' })),
    templateId: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'sms: template id of the provider' })),
    maxLength: Type.Optional(Type.Integer({ minimum: 20, maximum: 500, description: 'sms: longest text (default 70)' })),
    minSeverity: Type.Optional(SeverityT),
    source: Type.Optional(ChannelSourceT),
  },
  { additionalProperties: false },
);

const EventTypes = Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { maxItems: 50, description: 'Notification types, or event types for a channel of events ("hazard.assigned", "hazard.*", "*"); empty = all' });

export const ChannelT = Type.Object({
  id: Type.String(),
  kind: KindT,
  name: Type.String(),
  config: Type.Object({
    url: Type.Optional(Type.String()),
    secret: Type.Optional(Type.String()),
    token: Type.Optional(Type.String()),
    templateId: Type.Optional(Type.String()),
    maxLength: Type.Optional(Type.Integer()),
    minSeverity: Type.Optional(SeverityT),
    source: Type.Optional(ChannelSourceT),
  }),
  eventTypes: Type.Array(Type.String()),
  enabled: Type.Boolean(),
  createdAt: Type.String({ format: 'date-time' }),
  version: Type.Integer(),
});
export type ChannelT = Static<typeof ChannelT>;

export const CreateChannelBody = Type.Object(
  {
    kind: KindT,
    name: Type.String({ minLength: 1, maxLength: 100 }),
    config: ChannelConfigT,
    eventTypes: Type.Optional(EventTypes),
    enabled: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type CreateChannelBody = Static<typeof CreateChannelBody>;

export const UpdateChannelBody = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    config: Type.Optional(ChannelConfigT),
    eventTypes: Type.Optional(EventTypes),
    enabled: Type.Optional(Type.Boolean()),
    ...VersionField,
  },
  { additionalProperties: false },
);
export type UpdateChannelBody = Static<typeof UpdateChannelBody>;

export const TestChannelBody = Type.Object(
  {
    to: Type.Optional(Type.String({ format: 'email', maxLength: 254, description: 'e-mail: where to send the test (default: your own address)' })),
    phone: Type.Optional(Type.String({ pattern: '^\\+?[0-9][0-9 -]{5,19}$', description: 'sms: number to send the test to; robots: number to @-mention (default: your own)' })),
  },
  { additionalProperties: false },
);
export type TestChannelBody = Static<typeof TestChannelBody>;

export const TestChannelResult = Type.Object({
  ok: Type.Boolean(),
  responseCode: NullableInt,
  error: NullableString,
  deliveryId: Type.String(),
});

const StatusT = Type.Union([Type.Literal('pending'), Type.Literal('sent'), Type.Literal('failed')]);

export const Delivery = Type.Object({
  id: Type.String(),
  channelId: Type.String(),
  notificationId: NullableString,
  eventType: Type.String(),
  status: StatusT,
  attempts: Type.Integer(),
  responseCode: NullableInt,
  error: NullableString,
  recipient: NullableString,
  createdAt: Type.String({ format: 'date-time' }),
  sentAt: NullableTime,
  nextAttemptAt: NullableTime,
});

export const DeliveryQuery = Type.Object({ channelId: Type.Optional(Uuid), status: Type.Optional(StatusT), ...PageQuery }, { additionalProperties: false });
export type DeliveryQuery = Static<typeof DeliveryQuery>;

const SeverityList = Type.Array(SeverityT, { maxItems: 3, uniqueItems: true });
const PreferencesT = Type.Object({ in_app: SeverityList, email: SeverityList, sms: SeverityList, robot: SeverityList });
const PreferencesPatchT = Type.Object(
  { in_app: Type.Optional(SeverityList), email: Type.Optional(SeverityList), sms: Type.Optional(SeverityList), robot: Type.Optional(SeverityList) },
  { additionalProperties: false },
);

export const MyPreferences = Type.Object({
  preferences: PreferencesT,
  locked: PreferencesT,
  defaults: PreferencesT,
});
export type MyPreferences = Static<typeof MyPreferences>;

export const PutPreferencesBody = Type.Object({ preferences: PreferencesPatchT }, { additionalProperties: false });
export type PutPreferencesBody = Static<typeof PutPreferencesBody>;

export const NotifySettings = Type.Object({
  stormWindowSeconds: Type.Integer(),
  stormMaxPerWindow: Type.Integer(),
  defaultPreferences: PreferencesT,
  version: Type.Integer(),
});
export type NotifySettings = Static<typeof NotifySettings>;

export const UpdateNotifySettingsBody = Type.Object(
  {
    stormWindowSeconds: Type.Optional(Type.Integer({ minimum: 10, maximum: 3600, description: 'alarm-storm window' })),
    stormMaxPerWindow: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, description: 'messages of one type/source sent one by one per recipient, channel and window' })),
    defaultPreferences: Type.Optional(PreferencesPatchT),
    ...VersionField,
  },
  { additionalProperties: false },
);
export type UpdateNotifySettingsBody = Static<typeof UpdateNotifySettingsBody>;

export const notifyRoutes: FastifyPluginAsyncTypebox = async (app) => {
  // --- own preferences -----------------------------------------------------------------------------
  app.get(
    '/api/v1/me/notification-preferences',
    { config: { authenticated: true }, schema: { tags: ['notifications'], response: { 200: MyPreferences, ...ProblemResponses } } },
    async (request) => getMyPreferences(ctxOf(app, request)),
  );

  app.put(
    '/api/v1/me/notification-preferences',
    {
      config: { authenticated: true },
      schema: {
        tags: ['notifications'],
        description: 'Severities per personal channel; channels left out keep their choice. Critical in-app pop-ups cannot be switched off (400).',
        body: PutPreferencesBody,
        response: { 200: MyPreferences, ...ProblemResponses },
      },
    },
    async (request) => putMyPreferences(ctxOf(app, request), request.body.preferences),
  );

  // --- tenant notification settings (storm rule, default preferences) ------------------------------
  app.get(
    '/api/v1/notify/settings',
    { config: { permission: 'notify:manage' }, schema: { tags: ['notify'], response: { 200: NotifySettings, ...ProblemResponses } } },
    async (request) => getNotifySettings(ctxOf(app, request)),
  );

  app.patch(
    '/api/v1/notify/settings',
    { config: { permission: 'notify:manage' }, schema: { tags: ['notify'], body: UpdateNotifySettingsBody, response: { 200: NotifySettings, ...ProblemResponses } } },
    async (request) => {
      const { version, ...patch } = request.body;
      return updateNotifySettings(ctxOf(app, request), patch, expectedVersion(request, version));
    },
  );

  // --- own inbox -----------------------------------------------------------------------------------
  app.get(
    '/api/v1/notifications',
    {
      config: { authenticated: true },
      schema: { tags: ['notifications'], querystring: NotificationQuery, response: { 200: Page(Notification), ...ProblemResponses } },
    },
    async (request) => {
      const q = request.query;
      return listNotifications(ctxOf(app, request), { unread: q.unread, limit: q.limit ?? 50, cursor: q.cursor });
    },
  );

  app.get(
    '/api/v1/notifications/unread-count',
    { config: { authenticated: true }, schema: { tags: ['notifications'], response: { 200: Type.Object({ count: Type.Integer() }), ...ProblemResponses } } },
    async (request) => countUnread(ctxOf(app, request)),
  );

  app.post(
    '/api/v1/notifications/:id/read',
    { config: { authenticated: true }, schema: { tags: ['notifications'], params: IdParams, response: { 204: Type.Null(), ...ProblemResponses } } },
    async (request, reply) => {
      await markNotificationRead(ctxOf(app, request), request.params.id);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/api/v1/notifications/read-all',
    { config: { authenticated: true }, schema: { tags: ['notifications'], response: { 204: Type.Null(), ...ProblemResponses } } },
    async (request, reply) => {
      await markAllNotificationsRead(ctxOf(app, request));
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/api/v1/notifications/test',
    {
      // "Send me a test message": how a person checks that the bell, the live stream and their channels work.
      config: { authenticated: true, rateLimitPerMinute: 10 },
      schema: { tags: ['notifications'], response: { 201: Type.Object({ id: Type.String() }), ...ProblemResponses } },
    },
    async (request, reply) => reply.status(201).send(await sendTestNotification(ctxOf(app, request))),
  );

  // --- channels (administrators) -------------------------------------------------------------------
  app.get(
    '/api/v1/notify/channels',
    { config: { permission: 'notify:manage' }, schema: { tags: ['notify'], response: { 200: Type.Object({ items: Type.Array(ChannelT) }), ...ProblemResponses } } },
    async (request) => listChannels(ctxOf(app, request)),
  );

  app.post(
    '/api/v1/notify/channels',
    {
      config: { permission: 'notify:manage' },
      schema: {
        tags: ['notify'],
        description: 'A webhook secret is returned in full only in this response; later reads show it masked.',
        body: CreateChannelBody,
        response: { 201: ChannelT, ...ProblemResponses },
      },
    },
    async (request, reply) => {
      const created = await createChannel(ctxOf(app, request), request.body);
      return reply.status(201).send(created);
    },
  );

  app.patch(
    '/api/v1/notify/channels/:id',
    {
      config: { permission: 'notify:manage' },
      schema: { tags: ['notify'], params: IdParams, body: UpdateChannelBody, response: { 200: ChannelT, ...ProblemResponses } },
    },
    async (request) => {
      const { version, ...patch } = request.body;
      return updateChannel(ctxOf(app, request), request.params.id, patch, expectedVersion(request, version));
    },
  );

  app.delete(
    '/api/v1/notify/channels/:id',
    { config: { permission: 'notify:manage' }, schema: { tags: ['notify'], params: IdParams, response: { 204: Type.Null(), ...ProblemResponses } } },
    async (request, reply) => {
      await deleteChannel(ctxOf(app, request), request.params.id);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/api/v1/notify/channels/:id/test',
    {
      config: { permission: 'notify:manage' },
      schema: { tags: ['notify'], params: IdParams, body: TestChannelBody, response: { 200: TestChannelResult, ...ProblemResponses } },
      // A bare POST (no body) is a test with the defaults.
      preValidation: async (request) => {
        request.body ??= {};
      },
    },
    async (request) => testChannel(ctxOf(app, request), deliverySettingsFrom(app.deps.config), request.params.id, request.body),
  );

  app.get(
    '/api/v1/notify/deliveries',
    { config: { permission: 'notify:manage' }, schema: { tags: ['notify'], querystring: DeliveryQuery, response: { 200: Page(Delivery), ...ProblemResponses } } },
    async (request) => {
      const q = request.query;
      return listDeliveries(ctxOf(app, request), { channelId: q.channelId, status: q.status, limit: q.limit ?? 50, cursor: q.cursor });
    },
  );
};
