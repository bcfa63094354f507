import { List } from 'antd-mobile';
import { CouponOutline, EnvironmentOutline, PlayOutline, AppstoreOutline, PicturesOutline, ScanningOutline } from 'antd-mobile-icons';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate, useParams } from 'react-router';
import { ComingSoon } from '../components/Page';
import { TopBar } from '../components/Shell';

const FEATURES: { key: string; label: string; icon: ReactNode; colour: string }[] = [
  { key: 'moments', label: 'Moments', icon: <PicturesOutline />, colour: 'orange' },
  { key: 'channels', label: 'Channels', icon: <PlayOutline />, colour: 'orange' },
  { key: 'scan', label: 'Scan', icon: <ScanningOutline />, colour: 'blue' },
  { key: 'mini-programs', label: 'Mini Programs', icon: <AppstoreOutline />, colour: 'purple' },
  { key: 'nearby', label: 'Nearby', icon: <EnvironmentOutline />, colour: 'green' },
  { key: 'coupons', label: 'Coupons', icon: <CouponOutline />, colour: 'red' },
];

/** Placeholders reached from Me that are not Discover entries. */
const OTHER_TITLES: Record<string, string> = { favourites: 'Favourites', 'card-bag': 'Card Bag' };

export function DiscoverList() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  return (
    <>
      <TopBar title={t('Discover')} />
      {FEATURES.map((f, index) => (
        <List key={f.key} className={index === 0 || index === 2 || index === 3 ? 'list-gap' : ''}>
          <List.Item
            prefix={<span className={`entry-icon ${f.colour}`}>{f.icon}</span>}
            onClick={() => navigate(f.key === 'scan' ? '/scan' : `/discover/${f.key}`)}
            data-testid={`discover-${f.key}`}
          >
            {t(f.label)}
          </List.Item>
        </List>
      ))}
    </>
  );
}

export function DiscoverFeature() {
  const { feature } = useParams();
  const { t } = useTranslation();
  const entry = FEATURES.find((f) => f.key === feature);
  return <ComingSoon title={t(entry?.label ?? OTHER_TITLES[feature ?? ''] ?? 'Discover')} />;
}
