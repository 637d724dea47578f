import type { CSSProperties } from 'react';

/**
 * The flow tree's look, in the manner of DingTalk approvals: grey canvas, white node cards with a coloured
 * header (applicant grey, approver orange, CC blue, condition green), joined by a grey centre line.
 */

export const LINE = '#cacaca';
export const headerColours = { applicant: '#576a95', approval: '#ff943e', cc: '#3296fa', condition: '#15bc83' } as const;

/** A vertical connector down the middle of whatever it is the background of. */
export const centreLine: CSSProperties = { background: `linear-gradient(${LINE}, ${LINE}) no-repeat center / 2px 100%` };

export const canvas: CSSProperties = { background: '#f5f5f7', padding: '24px 16px', overflow: 'auto', minHeight: 480, borderRadius: 8 };

export const column: CSSProperties = { display: 'flex', flexDirection: 'column', alignItems: 'center', ...centreLine };

export const card: CSSProperties = { width: 220, background: '#fff', borderRadius: 6, boxShadow: '0 2px 5px rgba(0,0,0,0.1)', cursor: 'pointer', position: 'relative', zIndex: 1 };

export const cardError: CSSProperties = { outline: '2px solid #ff4d4f' };

export const cardSelected: CSSProperties = { outline: '2px solid #1677ff' };

export const branches: CSSProperties = { display: 'flex', borderTop: `2px solid ${LINE}`, borderBottom: `2px solid ${LINE}`, position: 'relative' };

export const branchColumn: CSSProperties = { ...column, padding: '28px 24px 0', minWidth: 268, flex: '1 0 auto' };
