import { CheckShieldOutline, CouponOutline, FlagOutline, GlobalOutline, HeartOutline, PayCircleOutline, ShopbagOutline, TeamOutline } from 'antd-mobile-icons';
import type { ReactNode } from 'react';
import { OfficialReviewSection } from '../official/OfficialReviewSection';
import { GoldPriceSection } from '../wallet/WalletPages';
import { CouponCampaignsSection, CouponIssuersSection, CoverSection, MerchantReviewSection } from '../merchants/OperatorSections';
import { ChannelVerificationsSection } from './ChannelVerificationsSection';
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
  { path: 'gold-price', title: 'Gold price', icon: <PayCircleOutline />, element: <GoldPriceSection /> },
  { path: 'official-accounts', title: 'Official Account reviews', icon: <GlobalOutline />, element: <OfficialReviewSection /> },
  { path: 'creator-verification', title: 'Creator verification', icon: <CheckShieldOutline />, element: <ChannelVerificationsSection /> },
  { path: 'merchants', title: 'Merchant review', icon: <ShopbagOutline />, element: <MerchantReviewSection /> },
  { path: 'coupons', title: 'Coupon campaigns', icon: <CouponOutline />, element: <CouponCampaignsSection /> },
  { path: 'coupon-issuers', title: 'Coupon issuers', icon: <FlagOutline />, element: <CouponIssuersSection /> },
  { path: 'cover', title: 'Relief cover', icon: <HeartOutline />, element: <CoverSection /> },
];
