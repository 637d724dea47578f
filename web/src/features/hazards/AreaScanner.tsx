import { CameraOutlined, ScanOutlined } from '@ant-design/icons';
import { Alert, Button, Flex, Modal, Typography } from 'antd';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useIsPhone } from '../../shared/useIsPhone.ts';
import { decodeQrPixels, decodeSize } from './areaCode.ts';

/**
 * "Scan area code" on the report page: the back camera (getUserMedia, facingMode environment) read by the
 * browser's BarcodeDetector where it has one (Chrome on Android), else frame by frame by jsQR; and, for
 * browsers that cannot open the camera in a page (or refuse it), a photo of the code decoded the same way.
 * It only hands the decoded text up: what the text means is the page's business (areaCode.ts).
 */

// BarcodeDetector is not in TypeScript's DOM library yet (Shape Detection API).
interface DetectedBarcode {
  rawValue: string;
}
interface BarcodeDetectorLike {
  detect(source: CanvasImageSource | ImageBitmap): Promise<DetectedBarcode[]>;
}
interface BarcodeDetectorCtor {
  new (opts: { formats: string[] }): BarcodeDetectorLike;
  getSupportedFormats?: () => Promise<string[]>;
}

async function nativeDetector(): Promise<BarcodeDetectorLike | null> {
  const ctor = (globalThis as { BarcodeDetector?: BarcodeDetectorCtor }).BarcodeDetector;
  if (!ctor) return null;
  try {
    const formats = (await ctor.getSupportedFormats?.()) ?? ['qr_code'];
    return formats.includes('qr_code') ? new ctor({ formats: ['qr_code'] }) : null;
  } catch {
    return null;
  }
}

/** One picture (a video frame or a photo) → the QR text in it, by the native detector or jsQR. */
async function decodeSource(source: HTMLVideoElement | ImageBitmap, width: number, height: number, detector: BarcodeDetectorLike | null, canvas: HTMLCanvasElement): Promise<string | null> {
  if (detector) {
    try {
      const [hit] = await detector.detect(source);
      if (hit) return hit.rawValue;
      return null;
    } catch {
      // Some builds list qr_code but fail on a frame: fall through to jsQR.
    }
  }
  if (width === 0 || height === 0) return null;
  const size = decodeSize(width, height);
  canvas.width = size.width;
  canvas.height = size.height;
  const g = canvas.getContext('2d', { willReadFrequently: true });
  if (!g) return null;
  g.drawImage(source, 0, 0, size.width, size.height);
  const { data } = g.getImageData(0, 0, size.width, size.height);
  return decodeQrPixels(data, size.width, size.height);
}

export function AreaScanner({ onScanned, disabled }: { onScanned: (text: string) => void; disabled?: boolean }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const photoInput = useRef<HTMLInputElement>(null);
  const [photoError, setPhotoError] = useState(false);

  const fromPhoto = async (file: File | undefined) => {
    setPhotoError(false);
    if (!file) return;
    try {
      const bitmap = await createImageBitmap(file);
      const text = await decodeSource(bitmap, bitmap.width, bitmap.height, await nativeDetector(), document.createElement('canvas'));
      bitmap.close();
      if (text) {
        setOpen(false);
        onScanned(text);
      } else setPhotoError(true);
    } catch {
      setPhotoError(true);
    }
  };

  const photoPicker = (
    <input
      ref={photoInput}
      type="file"
      accept="image/*"
      capture="environment"
      style={{ display: 'none' }}
      data-testid="report-scan-photo-input"
      onChange={(e) => {
        void fromPhoto(e.target.files?.[0]);
        e.target.value = '';
      }}
    />
  );

  return (
    <>
      <Button icon={<ScanOutlined />} onClick={() => (setPhotoError(false), setOpen(true))} disabled={disabled} style={{ minHeight: 44 }} data-testid="report-scan">
        {t('hazards.report.scan')}
      </Button>
      {photoPicker}
      {open ? (
        <ScanModal
          onClose={() => setOpen(false)}
          onScanned={(text) => {
            setOpen(false);
            onScanned(text);
          }}
          onPhoto={() => photoInput.current?.click()}
          photoError={photoError}
        />
      ) : null}
    </>
  );
}

function ScanModal({ onClose, onScanned, onPhoto, photoError }: { onClose: () => void; onScanned: (text: string) => void; onPhoto: () => void; photoError: boolean }) {
  const { t } = useTranslation();
  const isPhone = useIsPhone();
  const video = useRef<HTMLVideoElement>(null);
  const [cameraFailed, setCameraFailed] = useState(false);

  useEffect(() => {
    let stream: MediaStream | null = null;
    let timer: number | undefined;
    let stopped = false;
    const canvas = document.createElement('canvas');
    const start = async () => {
      if (!navigator.mediaDevices?.getUserMedia) throw new Error('no camera API (insecure page or old browser)');
      stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: { ideal: 'environment' } }, audio: false });
      if (stopped) return;
      const v = video.current;
      if (!v) return;
      v.srcObject = stream;
      await v.play();
      const detector = await nativeDetector();
      // A few reads a second are plenty for a label held still, and leave the phone's CPU for the preview.
      const tick = async () => {
        if (stopped) return;
        const text = v.readyState >= 2 ? await decodeSource(v, v.videoWidth, v.videoHeight, detector, canvas) : null;
        if (text && !stopped) onScanned(text);
        else if (!stopped) timer = window.setTimeout(() => void tick(), 250);
      };
      void tick();
    };
    start().catch(() => {
      if (!stopped) setCameraFailed(true);
    });
    return () => {
      stopped = true;
      window.clearTimeout(timer);
      stream?.getTracks().forEach((tr) => tr.stop());
    };
    // Runs once per opening: onScanned closes the modal (ending this effect), so a new callback identity on
    // a re-render must not restart the camera.
  }, []);

  return (
    <Modal open title={t('hazards.report.scanTitle')} onCancel={onClose} footer={null} width={isPhone ? '100%' : 480} style={isPhone ? { top: 8, maxWidth: 'calc(100vw - 16px)' } : undefined} destroyOnHidden data-testid="scan-modal">
      <Flex vertical gap={12}>
        {cameraFailed ? (
          <Alert type="info" showIcon title={t('hazards.report.scanNoCamera')} data-testid="scan-no-camera" />
        ) : (
          <>
            <video ref={video} muted playsInline style={{ width: '100%', borderRadius: 8, background: '#000', aspectRatio: '4 / 3', objectFit: 'cover' }} data-testid="scan-video" />
            <Typography.Text type="secondary">{t('hazards.report.scanHint')}</Typography.Text>
          </>
        )}
        {photoError ? <Alert type="warning" showIcon title={t('hazards.report.scanNothing')} data-testid="report-scan-error" /> : null}
        <Button icon={<CameraOutlined />} size="large" block onClick={onPhoto} data-testid="scan-photo">
          {t('hazards.report.scanPhoto')}
        </Button>
      </Flex>
    </Modal>
  );
}
