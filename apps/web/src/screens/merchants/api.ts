import { PlazaApiError } from '@plaza/client';
import { getAuth } from '../../lib/api';

export interface Merchant {
  id: string;
  ownerId: string;
  businessName: string;
  category: string;
  licenceNumber: string;
  address: string;
  lat: number;
  lng: number;
  status: 'pending' | 'approved' | 'rejected';
  reviewNote: string;
  role?: string;
  ownerName?: string;
}
export interface MerchantDetails {
  merchant: Merchant;
  role: string;
  staticQrContent: string;
  balanceMinor: string;
  points: string;
  webhookUrl: string | null;
  staff: { accountId: string; displayName: string; role: string }[];
}
export interface Payment {
  id: string;
  merchantId: string;
  channel: 'static' | 'dynamic' | 'code';
  outTradeNo: string | null;
  description: string;
  amountMinor: string;
  status: string;
  payerId: string | null;
  couponId: string | null;
  subsidyMinor: string;
  paidMinor: string;
  feeMinor: string;
  points: string;
  refundedMinor: string;
  refundCount: number;
  qrContent: string | null;
  expiresAt: string | null;
  createdAt: string;
  paidAt: string | null;
}
export interface Coupon {
  id: string;
  campaignId: string;
  status: string;
  faceMinor?: string;
  thresholdMinor?: string;
  name?: string;
  expiresAt: string;
  subsidyMinor?: string;
}
export interface Campaign {
  id: string;
  name: string;
  budgetMinor: string;
  faceMinor: string;
  thresholdMinor: string;
  perMemberCap: number;
  categories: string[];
  validFrom: string;
  validUntil: string;
  status: string;
  issuerId?: string | null;
  /** The town that pays for the coupons (absent or null: the operator). */
  issuerName?: string | null;
  batches: { id: string; releaseAt: string; quota: number; issued: number }[];
}
/** A coupon issuer other than the operator (a town), with its account balance and members. */
export interface CouponIssuer {
  id: string;
  name: string;
  region: string;
  status: 'active' | 'suspended';
  balanceMinor?: string;
  members?: { id: string; handle: string; displayName: string }[];
}
export interface CampaignDashboardData {
  totals: { issued: number; used: number; subsidyMinor: string; gmvMinor: string; gmvPerSubsidy: number };
  byDay: { day: string; issued: number; used: number; subsidyMinor: string; gmvMinor: string }[];
  byCategory: { category: string; used: number; subsidyMinor: string; gmvMinor: string }[];
}
export interface CoverProgram {
  id: string;
  name: string;
  dailyBenefitMinor: string;
  maxDays: number;
  minPoints: number;
  poolMinor: string;
  poolLeftMinor?: string;
  enrolUntil: string;
  endsAt: string;
}
export interface CoverClaim {
  id: string;
  programId: string;
  merchantId: string;
  startDate: string;
  endDate: string;
  days: number;
  mediaIds: string[];
  status: string;
  note: string;
  coveredDays: number;
  payoutMinor: string;
}
export interface SearchResult {
  id: string;
  businessName: string;
  category: string;
  address: string;
  lat: number;
  lng: number;
  distanceM: number | null;
}

export const CATEGORIES = ['food', 'grocery', 'retail', 'services', 'health', 'education', 'entertainment', 'transport', 'other'];

/** Merchant calls; money-moving POSTs carry a fresh Idempotency-Key (retries of one tap reuse it). */
export async function call<T>(method: string, path: string, body?: unknown, idempotencyKey?: string): Promise<T> {
  const headers: Record<string, string> = {};
  const { token } = getAuth();
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (idempotencyKey) headers['idempotency-key'] = idempotencyKey;
  let response: Response;
  try {
    response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (error) {
    throw new PlazaApiError(0, 'NETWORK_ERROR', error instanceof Error ? error.message : 'Network error');
  }
  if (response.status === 204) return undefined as T;
  const data = (await response.json().catch(() => null)) as (T & { error?: { code?: string; message?: string } }) | null;
  if (!response.ok) throw new PlazaApiError(response.status, data?.error?.code ?? 'HTTP_ERROR', data?.error?.message ?? response.statusText);
  return data as T;
}

const fresh = () => crypto.randomUUID();

export const merchantsApi = {
  mine: () => call<{ merchants: Merchant[] }>('GET', '/api/v1/merchants/mine'),
  apply: (body: Record<string, unknown>) => call<{ merchant: Merchant }>('POST', '/api/v1/merchants', body),
  details: (id: string) => call<MerchantDetails>('GET', `/api/v1/merchants/${id}`),
  payments: (id: string) => call<{ payments: Payment[]; nextCursor: string | null }>('GET', `/api/v1/merchants/${id}/payments?limit=50`),
  createOrder: (id: string, amountMinor: string, description: string) =>
    call<{ order: Payment }>('POST', `/api/v1/merchants/${id}/orders`, { amountMinor, description }),
  charge: (id: string, code: string, amountMinor: string) =>
    call<{ payment: Payment }>('POST', `/api/v1/merchants/${id}/charges`, { code, amountMinor }, fresh()),
  refund: (id: string, paymentId: string, amountMinor: string, refundNo: string) =>
    call<{ refund: { id: string; amountMinor: string }; payment: Payment }>('POST', `/api/v1/merchants/${id}/refunds`, { paymentId, amountMinor, refundNo }),
  report: (id: string) =>
    call<{ days: { day: string; count: number; grossMinor: string; subsidyMinor: string; feeMinor: string; refundedMinor: string }[] }>(
      'GET',
      `/api/v1/merchants/${id}/report?days=14`,
    ),
  settle: (id: string, amountMinor: string, pin: string) =>
    call<{ settlement: { amountMinor: string } }>('POST', `/api/v1/merchants/${id}/settlements`, { amountMinor, pin }, fresh()),
  statement: async (id: string, day: string) => {
    const response = await fetch(`/api/v1/merchants/${id}/statement.csv?day=${day}`, { headers: { authorization: `Bearer ${getAuth().token ?? ''}` } });
    if (!response.ok) throw new PlazaApiError(response.status, 'HTTP_ERROR', response.statusText);
    return response.blob();
  },
  points: (id: string) =>
    call<{
      points: string;
      feesPaidMinor: string;
      feesRebatedMinor: string;
      rules: { pointValueMinor: number; cashEnabled: boolean; cashMaxPointsPerDay: number };
    }>('GET', `/api/v1/merchants/${id}/points`),
  redeem: (id: string, points: string, target: 'fees' | 'cash') =>
    call<unknown>('POST', `/api/v1/merchants/${id}/points/redemptions`, { points, target }, fresh()),
  addStaff: (id: string, accountId: string, role: string) => call<unknown>('POST', `/api/v1/merchants/${id}/staff`, { accountId, role }),
  createApiKey: (id: string) => call<{ apiKey: { key: string; prefix: string } }>('POST', `/api/v1/merchants/${id}/api-keys`),
  setWebhook: (id: string, url: string | null) =>
    call<{ webhook: { url: string | null; secret: string | null } }>('PUT', `/api/v1/merchants/${id}/webhook`, { url }),
  /** The printable static QR code: a PNG image, or an A6 till card as PDF. */
  qrFile: async (id: string, format: 'png' | 'pdf') => {
    const response = await fetch(`/api/v1/merchants/${id}/qr.${format}`, { headers: { authorization: `Bearer ${getAuth().token ?? ''}` } });
    if (!response.ok) throw new PlazaApiError(response.status, 'HTTP_ERROR', response.statusText);
    return response.blob();
  },
  previewPay: (token: string, amountMinor?: string) =>
    call<{ merchant: { id: string; businessName: string; category: string }; order: Payment | null; coupon: Coupon | null }>(
      'GET',
      `/api/v1/pay/${token}${amountMinor ? `?amountMinor=${amountMinor}` : ''}`,
    ),
  pay: (token: string, body: { amountMinor?: string; pin: string }, key: string) => call<{ payment: Payment }>('POST', `/api/v1/pay/${token}`, body, key),
  paymentCode: () => call<{ paymentCode: { code: string; expiresAt: string; refreshInMs: number } }>('POST', '/api/v1/payment-codes', {}),
  confirmCharge: (paymentId: string, pin: string) => call<{ payment: Payment }>('POST', `/api/v1/merchant-payments/${paymentId}/confirm`, { pin }, fresh()),
  campaigns: () => call<{ campaigns: Campaign[] }>('GET', '/api/v1/coupon-campaigns'),
  grab: (campaignId: string) => call<{ coupon: Coupon }>('POST', `/api/v1/coupon-campaigns/${campaignId}/grabs`, {}, fresh()),
  myCoupons: () => call<{ coupons: Coupon[] }>('GET', '/api/v1/coupons'),
  search: (params: Record<string, string>) => call<{ results: SearchResult[] }>('GET', `/api/v1/merchants/search?${new URLSearchParams(params)}`),
  coverPrograms: () => call<{ programs: CoverProgram[] }>('GET', '/api/v1/cover-programs'),
  coverClaims: (id: string) => call<{ claims: CoverClaim[]; enrolledProgramIds: string[] }>('GET', `/api/v1/merchants/${id}/cover-claims`),
  enrol: (id: string, programId: string) => call<unknown>('POST', `/api/v1/merchants/${id}/cover-enrolments`, { programId }),
  fileClaim: (id: string, body: { programId: string; startDate: string; endDate: string; mediaIds: string[] }) =>
    call<{ claim: CoverClaim }>('POST', `/api/v1/merchants/${id}/cover-claims`, body),
  addDocuments: (id: string, claimId: string, mediaIds: string[]) =>
    call<unknown>('POST', `/api/v1/merchants/${id}/cover-claims/${claimId}/documents`, { mediaIds }),
  // Members acting for a coupon issuer
  myIssuers: () => call<{ issuers: CouponIssuer[] }>('GET', '/api/v1/issuer/issuers'),
  issuer: (id: string) => call<{ issuer: CouponIssuer }>('GET', `/api/v1/issuer/issuers/${id}`),
  fundIssuer: (id: string, amountMinor: string, pin: string, key: string) =>
    call<{ funding: { amountMinor: string } }>('POST', `/api/v1/issuer/issuers/${id}/fundings`, { amountMinor, pin }, key),
  issuerCampaigns: (id: string) => call<{ campaigns: Campaign[] }>('GET', `/api/v1/issuer/issuers/${id}/coupon-campaigns`),
  createIssuerCampaign: (id: string, body: Record<string, unknown>, key: string) =>
    call<{ campaign: Campaign }>('POST', `/api/v1/issuer/issuers/${id}/coupon-campaigns`, body, key),
  issuerDashboard: (id: string, campaignId: string) =>
    call<CampaignDashboardData>('GET', `/api/v1/issuer/issuers/${id}/coupon-campaigns/${campaignId}/dashboard`),
  // Operators
  reviewQueue: (status: string) => call<{ merchants: Merchant[] }>('GET', `/api/v1/operator/merchants?status=${status}`),
  review: (id: string, decision: 'approve' | 'reject', note: string) => call<unknown>('POST', `/api/v1/operator/merchants/${id}/review`, { decision, note }),
  allCampaigns: () => call<{ campaigns: Campaign[] }>('GET', '/api/v1/operator/coupon-campaigns'),
  createCampaign: (body: Record<string, unknown>) => call<{ campaign: Campaign }>('POST', '/api/v1/operator/coupon-campaigns', body, fresh()),
  dashboard: (id: string) => call<CampaignDashboardData>('GET', `/api/v1/operator/coupon-campaigns/${id}/dashboard`),
  issuers: () => call<{ issuers: CouponIssuer[] }>('GET', '/api/v1/operator/coupon-issuers'),
  registerIssuer: (body: { name: string; region: string; memberHandles: string[] }) =>
    call<{ issuer: CouponIssuer }>('POST', '/api/v1/operator/coupon-issuers', body),
  addIssuerMember: (id: string, handle: string) => call<{ issuer: CouponIssuer }>('POST', `/api/v1/operator/coupon-issuers/${id}/members`, { handle }),
  removeIssuerMember: (id: string, accountId: string) => call<{ issuer: CouponIssuer }>('DELETE', `/api/v1/operator/coupon-issuers/${id}/members/${accountId}`),
  setIssuerStatus: (id: string, status: 'active' | 'suspended') =>
    call<{ issuer: CouponIssuer }>('PUT', `/api/v1/operator/coupon-issuers/${id}/status`, { status }),
  fundIssuerFromFees: (id: string, amountMinor: string) => call<unknown>('POST', `/api/v1/operator/coupon-issuers/${id}/fundings`, { amountMinor }, fresh()),
  createProgram: (body: Record<string, unknown>) => call<unknown>('POST', '/api/v1/operator/cover-programs', body, fresh()),
  claimQueue: (status: string) => call<{ claims: CoverClaim[] }>('GET', `/api/v1/operator/cover-claims?status=${status}`),
  decide: (claimId: string, decision: string, note: string) =>
    call<unknown>('POST', `/api/v1/operator/cover-claims/${claimId}/decision`, { decision, note }, fresh()),
  pointsRules: () =>
    call<{ rules: { pointsPerPayment: number; pointValueMinor: number; cashEnabled: boolean; cashMaxPointsPerDay: number } }>(
      'GET',
      '/api/v1/operator/merchant-points-rules',
    ),
  setPointsRules: (rules: Record<string, unknown>) => call<unknown>('PUT', '/api/v1/operator/merchant-points-rules', rules),
};

/** A short two-tone chime for a new payment (Web Audio, no sound file). */
export function playChime(): void {
  try {
    const audio = new AudioContext();
    for (const [i, frequency] of [880, 1320].entries()) {
      const oscillator = audio.createOscillator();
      const gain = audio.createGain();
      oscillator.frequency.value = frequency;
      gain.gain.setValueAtTime(0.15, audio.currentTime + i * 0.15);
      gain.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + i * 0.15 + 0.3);
      oscillator.connect(gain).connect(audio.destination);
      oscillator.start(audio.currentTime + i * 0.15);
      oscillator.stop(audio.currentTime + i * 0.15 + 0.3);
    }
    setTimeout(() => void audio.close(), 1000);
  } catch {
    // No audio device: the live list still updates.
  }
}

/** Merchant events from the realtime inbox, re-broadcast by lib/realtime.ts. */
export const MERCHANT_EVENT = 'plaza:merchant-event';
export interface MerchantEventDetail {
  type: 'merchant.payment' | 'merchant.refund';
  payment?: Payment;
  merchantName?: string;
}
