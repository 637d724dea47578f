import { sql } from 'drizzle-orm';
import { boolean, date, index, integer, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { businessColumns, idColumn, timestamptz } from '../db/columns.ts';

/** A company. Several tenants may belong to one group; data never crosses tenants. */
export const tenants = pgTable('tenants', {
  id: idColumn(),
  code: text('code').notNull().unique(),
  name: text('name').notNull(),
  groupName: text('group_name'),
  timeZone: text('time_zone').notNull().default('Asia/Shanghai'),
  locale: text('locale').notNull().default('zh-CN'),
  active: boolean('active').notNull().default(true),
  createdAt: timestamptz('created_at').notNull().defaultNow(),
});

export const orgUnitKinds = ['company', 'plant', 'workshop', 'department', 'team', 'contractor'] as const;
export type OrgUnitKind = (typeof orgUnitKinds)[number];

/**
 * Org tree: company › plant › workshop/department › team, plus contractor companies.
 * `path` is the chain of ids from the root ("/a/b/c/"), so "this unit and below" is one LIKE on an index.
 */
export const orgUnits = pgTable(
  'org_units',
  {
    id: idColumn(),
    tenantId: uuid('tenant_id').notNull(),
    parentId: uuid('parent_id'),
    kind: text('kind').$type<OrgUnitKind>().notNull(),
    code: text('code').notNull(),
    name: text('name').notNull(),
    path: text('path').notNull(),
    depth: integer('depth').notNull(),
    sort: integer('sort').notNull().default(0),
    managerPersonId: uuid('manager_person_id'),
    active: boolean('active').notNull().default(true),
    createdAt: businessColumns().createdAt,
    createdBy: businessColumns().createdBy,
    updatedAt: businessColumns().updatedAt,
    updatedBy: businessColumns().updatedBy,
    version: businessColumns().version,
    custom: businessColumns().custom,
  },
  (t) => [
    uniqueIndex('org_units_tenant_code').on(t.tenantId, t.code),
    index('org_units_path').on(t.tenantId, t.path.op('text_pattern_ops')),
    index('org_units_parent').on(t.parentId),
  ],
);

export const positions = pgTable(
  'positions',
  {
    id: idColumn(),
    ...businessColumns(),
    code: text('code').notNull(),
    name: text('name').notNull(),
    /** Positions that are special operations (welder, electrician…) need a certificate (training module). */
    special: boolean('special').notNull().default(false),
    active: boolean('active').notNull().default(true),
  },
  (t) => [uniqueIndex('positions_tenant_code').on(t.tenantId, t.code)],
);

export const personKinds = ['employee', 'contractor'] as const;
export type PersonKind = (typeof personKinds)[number];

/** Employees and contractor workers. A person may or may not have a login (users table). */
export const people = pgTable(
  'people',
  {
    id: idColumn(),
    ...businessColumns(),
    kind: text('kind').$type<PersonKind>().notNull(),
    employeeNo: text('employee_no').notNull(),
    name: text('name').notNull(),
    phone: text('phone'),
    email: text('email'),
    gender: text('gender').$type<'male' | 'female' | 'other'>(),
    positionId: uuid('position_id'),
    /** For contractor workers: their contractor company (an org unit of kind 'contractor'). */
    contractorUnitId: uuid('contractor_unit_id'),
    hireDate: date('hire_date', { mode: 'string' }),
    status: text('status').$type<'active' | 'left'>().notNull().default('active'),
  },
  (t) => [
    uniqueIndex('people_tenant_no').on(t.tenantId, t.employeeNo),
    index('people_org').on(t.tenantId, t.orgUnitId),
    index('people_phone').on(t.tenantId, t.phone).where(sql`phone IS NOT NULL`),
  ],
);

export const calendarDayKinds = ['holiday', 'workday'] as const;
export type CalendarDayKind = (typeof calendarDayKinds)[number];

/**
 * The tenant's exceptions to the Monday–Friday week (platform/org/calendar.ts): public holidays that fall
 * on a weekday (`holiday`) and make-up working days (调休) that fall on a weekend (`workday`). One row per
 * tenant and day; a day without a row follows the weekday rule.
 */
export const calendarDays = pgTable(
  'calendar_days',
  {
    tenantId: uuid('tenant_id').notNull(),
    day: date('day', { mode: 'string' }).notNull(),
    kind: text('kind').$type<CalendarDayKind>().notNull(),
    name: text('name').notNull(),
    updatedAt: timestamptz('updated_at').notNull().defaultNow(),
    updatedBy: uuid('updated_by'),
  },
  (t) => [uniqueIndex('calendar_days_tenant_day').on(t.tenantId, t.day)],
);
