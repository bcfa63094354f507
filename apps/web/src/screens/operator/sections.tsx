import { CouponOutline, HeartOutline, ShopbagOutline, TeamOutline } from 'antd-mobile-icons';
import type { ReactNode } from 'react';
import { CouponCampaignsSection, CoverSection, MerchantReviewSection } from '../merchants/OperatorSections';
import { OperatorsSection } from './OperatorsSection';

/**
 * The operator console's sections. A module that needs operator work (reviews, programs) adds one
 * entry here: its path under /operator, its title (an i18n key) and its screen.
 */
export interface OperatorSection {
  path: string;
  title: string;
  icon: ReactNode;
  element: ReactNode;
}

export const operatorSections: OperatorSection[] = [
  { path: 'operators', title: 'Operators', icon: <TeamOutline />, element: <OperatorsSection /> },
  { path: 'merchants', title: 'Merchant review', icon: <ShopbagOutline />, element: <MerchantReviewSection /> },
  { path: 'coupons', title: 'Coupon campaigns', icon: <CouponOutline />, element: <CouponCampaignsSection /> },
  { path: 'cover', title: 'Relief cover', icon: <HeartOutline />, element: <CoverSection /> },
];
