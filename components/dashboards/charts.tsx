'use client';
/** The dashboards' Recharts charts. Data arrives ready from the server (lib/dashboards/load.ts). */
import { Bar, BarChart, CartesianGrid, Cell, ComposedChart, Legend, Line, Pie, PieChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { DashboardData } from '@/lib/dashboards/load';
import styles from './dashboards.module.css';

const BRL = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'BRL', maximumFractionDigits: 0 });
const COMPACT = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 });
const PCT = new Intl.NumberFormat('en-US', { style: 'percent', maximumFractionDigits: 1 });
const COLORS = ['#2f5bd3', '#b8901b', '#1f8a4c', '#c2362f', '#7a4fc9', '#a0642a', '#0f8b8d', '#6b7480'];

function Empty() {
  return <div className={styles.noData}>No data in this date range.</div>;
}

export function GmvChart({ data }: { data: DashboardData['gmv'] }) {
  if (data.length === 0) return <Empty />;
  return (
    <ResponsiveContainer width="100%" height="100%">
      <ComposedChart data={data} margin={{ top: 8, right: 12, bottom: 0, left: 8 }}>
        <CartesianGrid strokeDasharray="3 3" stroke="#e2e5ea" />
        <XAxis dataKey="period" tick={{ fontSize: 11 }} minTickGap={24} />
        <YAxis yAxisId="gmv" tick={{ fontSize: 11 }} tickFormatter={(v: number) => COMPACT.format(v)} width={56} />
        <YAxis yAxisId="orders" orientation="right" tick={{ fontSize: 11 }} tickFormatter={(v: number) => COMPACT.format(v)} width={44} />
        <Tooltip formatter={(v, name) => (name === 'GMV' ? BRL.format(Number(v)) : COMPACT.format(Number(v)))} />
        <Legend wrapperStyle={{ fontSize: 12 }} />
        <Bar yAxisId="orders" dataKey="orders" name="Orders" fill="#c9d6f6" isAnimationActive={false} />
        <Line yAxisId="gmv" dataKey="gmv" name="GMV" stroke="#2f5bd3" strokeWidth={2} dot={false} isAnimationActive={false} />
      </ComposedChart>
    </ResponsiveContainer>
  );
}

export function CategoryChart({ data }: { data: DashboardData['categories'] }) {
  if (data.length === 0) return <Empty />;
  return (
    <ResponsiveContainer width="100%" height="100%">
      <BarChart data={data} layout="vertical" margin={{ top: 4, right: 16, bottom: 0, left: 8 }}>
        <CartesianGrid strokeDasharray="3 3" stroke="#e2e5ea" horizontal={false} />
        <XAxis type="number" tick={{ fontSize: 11 }} tickFormatter={(v: number) => COMPACT.format(v)} />
        <YAxis type="category" dataKey="category" tick={{ fontSize: 11 }} width={150} interval={0} />
        <Tooltip formatter={(v) => BRL.format(Number(v))} />
        <Bar dataKey="revenue" name="Revenue" fill="#b8901b" isAnimationActive={false} />
      </BarChart>
    </ResponsiveContainer>
  );
}

export function OnTimeChart({ data }: { data: DashboardData['onTime'] }) {
  if (data.length === 0) return <Empty />;
  const sorted = [...data].sort((a, b) => a.onTimeRate - b.onTimeRate);
  return (
    <ResponsiveContainer width="100%" height="100%">
      <BarChart data={sorted} margin={{ top: 8, right: 12, bottom: 0, left: 0 }}>
        <CartesianGrid strokeDasharray="3 3" stroke="#e2e5ea" vertical={false} />
        <XAxis dataKey="state" tick={{ fontSize: 10 }} interval={0} />
        <YAxis tick={{ fontSize: 11 }} domain={[0, 1]} tickFormatter={(v: number) => PCT.format(v)} width={48} />
        <Tooltip formatter={(v, name) => (name === 'On time' ? PCT.format(Number(v)) : String(v))} labelFormatter={(s) => `State ${String(s)}`} />
        <Bar dataKey="onTimeRate" name="On time" isAnimationActive={false}>
          {sorted.map((d) => (
            <Cell key={d.state} fill={d.onTimeRate >= 0.9 ? '#1f8a4c' : d.onTimeRate >= 0.8 ? '#b7791f' : '#c2362f'} />
          ))}
        </Bar>
      </BarChart>
    </ResponsiveContainer>
  );
}

export function ReviewChart({ data }: { data: DashboardData['reviews'] }) {
  if (data.length === 0) return <Empty />;
  return (
    <ResponsiveContainer width="100%" height="100%">
      <BarChart data={data} margin={{ top: 8, right: 12, bottom: 0, left: 0 }}>
        <CartesianGrid strokeDasharray="3 3" stroke="#e2e5ea" vertical={false} />
        <XAxis dataKey="score" tick={{ fontSize: 12 }} tickFormatter={(s: number) => `${s} ★`} />
        <YAxis tick={{ fontSize: 11 }} tickFormatter={(v: number) => COMPACT.format(v)} width={48} />
        <Tooltip formatter={(v, _n, item) => `${COMPACT.format(Number(v))} (${PCT.format((item?.payload as { share?: number } | undefined)?.share ?? 0)})`} />
        <Bar dataKey="reviews" name="Reviews" isAnimationActive={false}>
          {data.map((d) => (
            <Cell key={d.score} fill={['#c2362f', '#d9663a', '#b7791f', '#6aa84f', '#1f8a4c'][Math.min(4, Math.max(0, d.score - 1))]} />
          ))}
        </Bar>
      </BarChart>
    </ResponsiveContainer>
  );
}

export function PaymentChart({ data }: { data: DashboardData['payments'] }) {
  if (data.length === 0) return <Empty />;
  return (
    <ResponsiveContainer width="100%" height="100%">
      <PieChart>
        <Pie data={data} dataKey="totalValue" nameKey="paymentType" innerRadius="45%" outerRadius="80%" paddingAngle={1} isAnimationActive={false}
          label={({ name, percent }: { name?: string; percent?: number }) => `${name ?? ''} ${PCT.format(percent ?? 0)}`} labelLine={false} fontSize={11}>
          {data.map((d, i) => (
            <Cell key={d.paymentType} fill={COLORS[i % COLORS.length]} />
          ))}
        </Pie>
        <Tooltip formatter={(v) => BRL.format(Number(v))} />
      </PieChart>
    </ResponsiveContainer>
  );
}
