"use client";
// Stacked bars per time bucket (recharts), on the window's shared time axis (lib/admin/time-axis). Gets plain numbers only; nothing server-side reaches the bundle.
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import type { ChartPoint, ChartSeries, MetricsWindowKey } from "@/lib/admin/metrics-window";
import { axisTickLabel, axisTicks, bucketLabel } from "@/lib/admin/time-axis";

interface EventsChartProps {
  title: string;
  points: ChartPoint[];
  series: ChartSeries[];
  window: MetricsWindowKey;
}

/** Legend text in the page's text colour: recharts writes it in the series colour, unreadable for the pale ones. */
const legendLabel = (value: string) => <span style={{ color: "#334155" }}>{value}</span>;

export function EventsChart({ title, points, series, window }: EventsChartProps) {
  return (
    <figure className="rounded-xl border border-slate-200 bg-white p-4 shadow-sm" aria-label={title} data-chart>
      <figcaption className="mb-3 text-sm font-semibold text-slate-900">{title}</figcaption>
      <div className="h-64 w-full">
        <ResponsiveContainer width="100%" height="100%">
          <BarChart data={points} margin={{ top: 4, right: 8, bottom: 0, left: -16 }}>
            <CartesianGrid strokeDasharray="3 3" stroke="#e2e8f0" vertical={false} />
            <XAxis
              dataKey="t"
              ticks={axisTicks(
                points.map((p) => p.t),
                window,
              )}
              interval={0}
              tickFormatter={(t: number) => axisTickLabel(t, window)}
              tick={{ fontSize: 11, fill: "#64748b" }}
              tickLine={false}
              axisLine={{ stroke: "#cbd5e1" }}
            />
            <YAxis allowDecimals={false} tick={{ fontSize: 11, fill: "#64748b" }} tickLine={false} axisLine={false} />
            <Tooltip
              labelFormatter={(t) => bucketLabel(Number(t))}
              cursor={{ fill: "#f1f5f9" }}
              contentStyle={{ fontSize: 12, borderRadius: 6, borderColor: "#e2e8f0" }}
            />
            <Legend wrapperStyle={{ fontSize: 12 }} iconType="square" itemSorter={null} formatter={legendLabel} />
            {series.map((s) => (
              <Bar
                key={s.key}
                dataKey={s.key}
                name={s.label}
                stackId="events"
                fill={s.color}
                isAnimationActive={false}
              />
            ))}
          </BarChart>
        </ResponsiveContainer>
      </div>
    </figure>
  );
}
