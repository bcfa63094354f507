import { useEffect, useRef } from 'react';

/** An ECharts chart, loaded on demand so the chat screens do not pay for it. */
export function EChart({ option, height = 220 }: { option: Record<string, unknown>; height?: number }) {
  const element = useRef<HTMLDivElement>(null);
  useEffect(() => {
    let disposed = false;
    let chart: { setOption(o: unknown): void; dispose(): void; resize(): void } | undefined;
    const resize = () => chart?.resize();
    void import('echarts').then((echarts) => {
      if (disposed || !element.current) return;
      chart = echarts.init(element.current);
      chart.setOption(option);
      window.addEventListener('resize', resize);
    });
    return () => {
      disposed = true;
      window.removeEventListener('resize', resize);
      chart?.dispose();
    };
  }, [option]);
  return <div ref={element} style={{ width: '100%', height }} />;
}
