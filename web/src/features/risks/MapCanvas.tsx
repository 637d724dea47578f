import { useRef, type MouseEvent } from 'react';
import { apiUrl } from '../../api/client.ts';
import type { MapAreaView, MapView, Point } from './mapApi.ts';

/** The centre of a polygon's points: where its name, hazard and permit markers go (good enough for building shapes). */
export function centroid(points: Point[]): Point {
  const n = Math.max(1, points.length);
  return [points.reduce((s, p) => s + p[0], 0) / n, points.reduce((s, p) => s + p[1], 0) / n];
}

const NEUTRAL = '#bfbfbf';

/**
 * The floor plan with the areas as one SVG (viewBox in plan pixels), so image and polygons scale together
 * to any width — a phone shows the whole plan. Areas are filled with their level colour, semi-transparent.
 * In drawing mode a click adds a point (normalized 0..1) and a double-click finishes.
 */
export function MapCanvas({
  view,
  selectedId,
  onSelect,
  draft,
  onAddPoint,
  onFinish,
}: {
  view: MapView;
  selectedId: string | null;
  onSelect: (area: MapAreaView) => void;
  draft: Point[] | null;
  onAddPoint: (p: Point) => void;
  onFinish: () => void;
}) {
  const ref = useRef<SVGSVGElement>(null);
  const { width: W, height: H } = view.map;
  const font = Math.max(14, Math.round(W / 70));
  const toPx = (p: Point) => `${p[0] * W},${p[1] * H}`;
  const drawing = draft !== null;

  const click = (e: MouseEvent<SVGSVGElement>) => {
    if (!drawing || !ref.current || e.detail > 1) return;
    const r = ref.current.getBoundingClientRect();
    const x = Math.min(1, Math.max(0, (e.clientX - r.left) / r.width));
    const y = Math.min(1, Math.max(0, (e.clientY - r.top) / r.height));
    onAddPoint([Math.round(x * 1e4) / 1e4, Math.round(y * 1e4) / 1e4]);
  };

  return (
    <svg
      ref={ref}
      viewBox={`0 0 ${W} ${H}`}
      style={{ width: '100%', height: 'auto', display: 'block', background: '#f5f5f5', cursor: drawing ? 'crosshair' : 'default', touchAction: 'manipulation' }}
      onClick={click}
      onDoubleClick={() => drawing && onFinish()}
      data-testid="risk-map-canvas"
      role="img"
      aria-label={view.map.name}
    >
      {view.map.imageFileId ? <image href={apiUrl(`/files/${view.map.imageFileId}`)} x={0} y={0} width={W} height={H} preserveAspectRatio="none" data-testid="risk-map-image" /> : null}
      {view.areas.map((a) => {
        const pts = a.polygon as Point[];
        const [cx, cy] = centroid(pts);
        const fill = a.colour ?? NEUTRAL;
        const selected = a.id === selectedId;
        return (
          <g key={a.id} onClick={(e) => (drawing ? undefined : (e.stopPropagation(), onSelect(a)))} style={{ cursor: drawing ? 'crosshair' : 'pointer' }}>
            <polygon
              points={pts.map(toPx).join(' ')}
              fill={fill}
              fillOpacity={0.5}
              stroke={selected ? '#1f1f1f' : fill}
              strokeWidth={selected ? 6 : 3}
              data-testid="map-area"
              data-area-id={a.id}
              data-level={a.level ?? 'unassessed'}
              data-colour={fill}
            >
              <title>{a.name}</title>
            </polygon>
            <text x={cx * W} y={cy * H} textAnchor="middle" dominantBaseline="middle" fontSize={font} fontWeight={600} fill="#1f1f1f" stroke="#fff" strokeWidth={4} paintOrder="stroke" pointerEvents="none">
              {a.name}
            </text>
            {a.openHazards > 0 ? (
              <g transform={`translate(${cx * W + font * 2.5}, ${cy * H - font * 1.4})`} data-testid="hazard-marker" data-count={a.openHazards} pointerEvents="none">
                <circle r={font * 0.9} fill="#cf1322" stroke="#fff" strokeWidth={3} />
                <text textAnchor="middle" dominantBaseline="central" fontSize={font} fill="#fff" fontWeight={700}>
                  {a.openHazards}
                </text>
              </g>
            ) : null}
            {a.permits.length > 0 ? (
              // Permits at work: a flame-orange square (the hazard marker is a red circle), left of the name.
              <g transform={`translate(${cx * W - font * 2.5}, ${cy * H - font * 1.4})`} data-testid="permit-marker" data-count={a.permits.length} pointerEvents="none">
                <rect x={-font * 0.9} y={-font * 0.9} width={font * 1.8} height={font * 1.8} rx={font * 0.3} fill="#d46b08" stroke="#fff" strokeWidth={3} />
                <text textAnchor="middle" dominantBaseline="central" fontSize={font} fill="#fff" fontWeight={700}>
                  {a.permits.length}
                </text>
                <title>{a.permits.map((p) => p.number).join(', ')}</title>
              </g>
            ) : null}
          </g>
        );
      })}
      {draft && draft.length > 0 ? (
        <g pointerEvents="none" data-testid="map-draft">
          <polyline points={draft.map(toPx).join(' ')} fill="#1677ff" fillOpacity={0.2} stroke="#1677ff" strokeWidth={4} strokeDasharray="12 6" />
          {draft.map((p, i) => (
            <circle key={i} cx={p[0] * W} cy={p[1] * H} r={font / 2.5} fill="#1677ff" />
          ))}
        </g>
      ) : null}
    </svg>
  );
}
