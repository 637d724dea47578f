import { Button, Flex } from 'antd';
import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';

/**
 * A finger signature: drawn on a canvas, handed back as a PNG blob when the pen lifts (null when
 * cleared). Uploaded with the results like a photo.
 */
export function SignaturePad({ onChange, testId }: { onChange: (png: Blob | null) => void; testId: string }) {
  const { t } = useTranslation();
  const canvas = useRef<HTMLCanvasElement>(null);
  const drawing = useRef(false);
  const inked = useRef(false);

  useEffect(() => {
    const c = canvas.current;
    const ctx = c?.getContext('2d');
    if (!c || !ctx) return;
    ctx.lineWidth = 2.5;
    ctx.lineCap = 'round';
    ctx.strokeStyle = '#111';
  }, []);

  const point = (e: React.PointerEvent<HTMLCanvasElement>) => {
    const r = e.currentTarget.getBoundingClientRect();
    return { x: ((e.clientX - r.left) / r.width) * e.currentTarget.width, y: ((e.clientY - r.top) / r.height) * e.currentTarget.height };
  };
  const finish = () => {
    if (!drawing.current) return;
    drawing.current = false;
    canvas.current?.toBlob((b) => onChange(inked.current ? b : null), 'image/png');
  };
  const clear = () => {
    const c = canvas.current;
    c?.getContext('2d')?.clearRect(0, 0, c.width, c.height);
    inked.current = false;
    onChange(null);
  };

  return (
    <Flex vertical gap={4}>
      <canvas
        ref={canvas}
        width={600}
        height={200}
        style={{ width: '100%', height: 120, border: '1px dashed #bbb', borderRadius: 8, touchAction: 'none', background: '#fff' }}
        onPointerDown={(e) => {
          const ctx = e.currentTarget.getContext('2d');
          const p = point(e);
          drawing.current = true;
          ctx?.beginPath();
          ctx?.moveTo(p.x, p.y);
        }}
        onPointerMove={(e) => {
          if (!drawing.current) return;
          const ctx = e.currentTarget.getContext('2d');
          const p = point(e);
          ctx?.lineTo(p.x, p.y);
          ctx?.stroke();
          inked.current = true;
        }}
        onPointerUp={finish}
        onPointerLeave={finish}
        data-testid={testId}
      />
      <Button size="small" onClick={clear} style={{ alignSelf: 'flex-end' }}>
        {t('inspections.check.clearSignature')}
      </Button>
    </Flex>
  );
}
