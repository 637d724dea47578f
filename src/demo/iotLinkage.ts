import type { Tx } from '../platform/db/client.ts';
import { newId } from '../platform/db/columns.ts';
import { iotDevices, iotLinkageRules } from '../modules/iot/schema.ts';
import { hashDeviceToken } from '../modules/iot/tokens.ts';

/**
 * Linkage demo (issue 8): the paint shop's exhaust-fan controller and its audible-visual alarm, and three
 * rules on its flammable-gas points — ventilation on a major or critical LEL alarm, the horn on while any
 * gas alarm is active and off again when it clears. Seeded before the demo's episode readings, so the paint
 * shop's gas alarm has its commands; `npm run iot:simulate` plays the devices and confirms them (without it
 * they time out after the tenant's default 10 s, which the alarm's linkage list shows too).
 */

const actuators = [
  { code: 'FAN-TZ-01', name: '涂装车间排风机控制器' },
  { code: 'AL-TZ-01', name: '喷漆房声光报警器' },
] as const;

export async function seedDemoLinkage(tx: Tx, tenantId: string, paintShopId: string, gatewayId: string | null, tokenOf: (code: string) => string, now: Date): Promise<{ devices: number; rules: number }> {
  const ids = new Map<string, string>();
  for (const a of actuators) {
    const id = newId();
    ids.set(a.code, id);
    await tx.insert(iotDevices).values({ id, tenantId, orgUnitId: paintShopId, gatewayId, code: a.code, name: a.name, model: 'SL-DEMO-ACT', tokenHash: hashDeviceToken(tokenOf(a.code)), tokenIssuedAt: now, status: 'offline', createdAt: now, updatedAt: now });
  }
  const rule = (name: string, deviceCode: string, command: string, params: Record<string, unknown>, minSeverity: 'major' | 'warning', onRaised: boolean, onCleared: boolean) => ({
    id: newId(),
    tenantId,
    orgUnitId: paintShopId,
    name,
    pointType: 'gas_flammable',
    minSeverity,
    onRaised,
    onCleared,
    deviceId: ids.get(deviceCode)!,
    command,
    params,
    createdAt: now,
    updatedAt: now,
  });
  const rules = [
    rule('可燃气体报警 → 启动排风（高速）', 'FAN-TZ-01', 'ventilation.start', { speed: 'high' }, 'major', true, false),
    rule('可燃气体报警 → 声光报警', 'AL-TZ-01', 'horn.on', { pattern: 'gas' }, 'warning', true, false),
    rule('可燃气体报警消除 → 关闭声光报警', 'AL-TZ-01', 'horn.off', {}, 'warning', false, true),
  ];
  await tx.insert(iotLinkageRules).values(rules);
  return { devices: actuators.length, rules: rules.length };
}
