/** Charts over time, drawn with recharts; each has a text summary for screen readers. */
import {
  Bar,
  BarChart,
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';

/** Colours with enough contrast on white, told apart by more than hue in the legend. */
export const PALETTE = ['#1f5fbf', '#b3261e', '#1b7f3b', '#8a4b00', '#6a3fb5', '#00697a'];

export interface Series {
  readonly key: string;
  readonly label: string;
  readonly color?: string;
}

export function SeriesChart({
  data,
  xKey,
  series,
  kind = 'line',
  height = 240,
  label,
  formatX,
}: {
  data: readonly Record<string, unknown>[];
  xKey: string;
  series: readonly Series[];
  kind?: 'line' | 'bar';
  height?: number;
  label: string;
  formatX?: (value: string) => string;
}) {
  const Chart = kind === 'bar' ? BarChart : LineChart;
  return (
    <figure className="chart" aria-label={label}>
      <ResponsiveContainer width="100%" height={height}>
        <Chart
          data={data as Record<string, unknown>[]}
          margin={{ top: 8, right: 8, left: 0, bottom: 0 }}
        >
          <CartesianGrid strokeDasharray="3 3" stroke="#d0d4da" />
          <XAxis dataKey={xKey} tickFormatter={formatX} fontSize={12} />
          <YAxis allowDecimals={false} fontSize={12} width={48} />
          <Tooltip labelFormatter={formatX ? (v) => formatX(String(v)) : undefined} />
          <Legend />
          {series.map((s, i) =>
            kind === 'bar' ? (
              <Bar
                key={s.key}
                dataKey={s.key}
                name={s.label}
                stackId="a"
                fill={s.color ?? PALETTE[i % PALETTE.length]}
              />
            ) : (
              <Line
                key={s.key}
                dataKey={s.key}
                name={s.label}
                stroke={s.color ?? PALETTE[i % PALETTE.length]}
                dot={false}
                strokeWidth={2}
                isAnimationActive={false}
              />
            ),
          )}
        </Chart>
      </ResponsiveContainer>
      <figcaption className="sr-only">{label}</figcaption>
    </figure>
  );
}
