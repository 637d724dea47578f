import { Type, type FastifyPluginAsyncTypebox, type Static } from '@fastify/type-provider-typebox';
import { ctxOf } from '../http/app.ts';
import { IdParams, Page, PageQuery, ProblemResponses, Uuid, VersionField } from '../http/schemas.ts';
import { expectedVersion } from '../http/version.ts';
import { deliverySettingsFrom, testChannel } from './delivery.ts';
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

export const ChannelConfigT = Type.Object(
  {
    url: Type.Optional(Type.String({ maxLength: 2000, description: 'webhook: http(s) URL to POST to' })),
    secret: Type.Optional(Type.String({ minLength: 16, maxLength: 200, description: 'webhook: HMAC key; generated when left out' })),
    minSeverity: Type.Optional(SeverityT),
    source: Type.Optional(ChannelSourceT),
  },
  { additionalProperties: false },
);

const EventTypes = Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { maxItems: 50, description: 'Notification types, or event types for a channel of events ("hazard.assigned", "hazard.*", "*"); empty = all' });

export const ChannelT = Type.Object({
  id: Type.String(),
  kind: Type.Union([Type.Literal('email'), Type.Literal('webhook')]),
  name: Type.String(),
  config: Type.Object({ url: Type.Optional(Type.String()), secret: Type.Optional(Type.String()), minSeverity: Type.Optional(SeverityT), source: Type.Optional(ChannelSourceT) }),
  eventTypes: Type.Array(Type.String()),
  enabled: Type.Boolean(),
  createdAt: Type.String({ format: 'date-time' }),
  version: Type.Integer(),
});
export type ChannelT = Static<typeof ChannelT>;

export const CreateChannelBody = Type.Object(
  {
    kind: Type.Union([Type.Literal('email'), Type.Literal('webhook')]),
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
  { to: Type.Optional(Type.String({ format: 'email', maxLength: 254, description: 'e-mail: where to send the test (default: your own address)' })) },
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

export const notifyRoutes: FastifyPluginAsyncTypebox = async (app) => {
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
