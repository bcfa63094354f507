import { CheckShieldOutline, GlobalOutline, PayCircleOutline, TeamOutline } from 'antd-mobile-icons';
import type { ReactNode } from 'react';
import { OfficialReviewSection } from '../official/OfficialReviewSection';
import { GoldPriceSection } from '../wallet/WalletPages';
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
];
