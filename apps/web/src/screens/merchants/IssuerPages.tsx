import { Button, List, Tabs, Tag, Toast } from 'antd-mobile';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate, useParams } from 'react-router';
import { Field } from '../../components/Field';
import { Page } from '../../components/Page';
import { errorText, queryClient } from '../../lib/api';
import { TID } from '../../testids';
import { formatMinor, parseMajor } from '../wallet/api';
import { PinPrompt } from '../wallet/PinPrompt';
import { merchantsApi } from './api';
import { CampaignDashboard, CampaignForm } from './CampaignParts';
import './merchants.css';

/** Whether the signed-in member acts for any coupon issuer (Me shows the console entry then). */
export function useMyIssuers() {
  return useQuery({ queryKey: ['issuers', 'mine'], queryFn: merchantsApi.myIssuers, staleTime: 60_000 });
}

/** Me → Coupon issuer: the issuers (towns) I act for. */
export function IssuerHomePage() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const { data } = useMyIssuers();
  const issuers = data?.issuers ?? [];
  return (
    <Page title={t('Coupon issuer')} fallback="/me">
      <List header={t('Issuers I act for')}>
        {issuers.length === 0 ? <List.Item>{t('You do not act for a coupon issuer. The operator registers towns and their members.')}</List.Item> : null}
        {issuers.map((issuer) => (
          <List.Item
            key={issuer.id}
            data-testid={TID.ISSUER_ROW}
            description={issuer.region}
            extra={<Tag color={issuer.status === 'active' ? 'success' : 'warning'}>{t(issuer.status)}</Tag>}
            onClick={() => navigate(`/me/issuer/${issuer.id}`)}
          >
            {issuer.name}
          </List.Item>
        ))}
      </List>
    </Page>
  );
}

const issuerCampaignIds = {
  name: TID.ISSUER_CAMPAIGN_NAME,
  budget: TID.ISSUER_CAMPAIGN_BUDGET,
  face: TID.ISSUER_CAMPAIGN_FACE,
  threshold: TID.ISSUER_CAMPAIGN_THRESHOLD,
  quota: TID.ISSUER_CAMPAIGN_QUOTA,
  create: TID.ISSUER_CAMPAIGN_CREATE,
};

/** The issuer console: the account (fund it from my wallet), a new campaign, and each campaign's dashboard. */
export function IssuerConsolePage() {
  const { t } = useTranslation();
  const { id = '' } = useParams();
  const details = useQuery({ queryKey: ['issuers', id], queryFn: () => merchantsApi.issuer(id) });
  const campaigns = useQuery({ queryKey: ['issuers', id, 'campaigns'], queryFn: () => merchantsApi.issuerCampaigns(id) });
  const [open, setOpen] = useState<string | null>(null);
  const issuer = details.data?.issuer;
  const refresh = () => void queryClient.invalidateQueries({ queryKey: ['issuers', id] });
  // One key per attempt: a retry after a lost answer moves nothing twice.
  const [createKey, setCreateKey] = useState(() => crypto.randomUUID());
  if (!issuer)
    return (
      <Page title={t('Coupon issuer')} fallback="/me/issuer">
        {details.error ? <div className="form-card">{errorText(details.error)}</div> : null}
      </Page>
    );
  return (
    <Page title={issuer.name} fallback="/me/issuer">
      <div className="merchant-hero">
        <div>
          {t('Balance')}: <strong data-testid={TID.ISSUER_BALANCE}>¥{formatMinor(issuer.balanceMinor ?? 0)}</strong>
        </div>
        <div>
          <Tag color={issuer.status === 'active' ? 'success' : 'warning'}>{t(issuer.status)}</Tag> {issuer.region}
        </div>
      </div>
      {issuer.status !== 'active' ? <div className="form-card">{t('The operator suspended this issuer: no funding and no new campaigns.')}</div> : null}
      <Tabs defaultActiveKey="campaigns">
        <Tabs.Tab title={t('Campaigns')} key="campaigns">
          <List>
            {(campaigns.data?.campaigns ?? []).length === 0 ? (
              <List.Item>{t('No campaigns yet: fund the account, then create one under New campaign.')}</List.Item>
            ) : null}
            {(campaigns.data?.campaigns ?? []).map((c) => (
              <List.Item
                key={c.id}
                data-testid={TID.ISSUER_CAMPAIGN_ROW}
                description={`${t('{{face}} off {{threshold}}', { face: formatMinor(c.faceMinor), threshold: formatMinor(c.thresholdMinor) })} · ${t('Budget')} ¥${formatMinor(c.budgetMinor)} · ${c.batches.map((b) => `${b.issued}/${b.quota}`).join(', ')}`}
                extra={<Tag>{t(c.status)}</Tag>}
                onClick={() => setOpen(open === c.id ? null : c.id)}
              >
                {c.name}
              </List.Item>
            ))}
          </List>
          {open ? (
            <CampaignDashboard
              queryKey={['issuers', id, 'campaigns', open, 'dashboard']}
              load={() => merchantsApi.issuerDashboard(issuer.id, open)}
              testId={TID.ISSUER_CAMPAIGN_DASHBOARD}
            />
          ) : null}
        </Tabs.Tab>
        <Tabs.Tab title={t('New campaign')} key="new">
          <CampaignForm
            ids={issuerCampaignIds}
            submitLabel={t('Create from the issuer account')}
            onCreate={async (body) => {
              await merchantsApi.createIssuerCampaign(issuer.id, body, createKey);
              setCreateKey(crypto.randomUUID());
              refresh();
            }}
          />
        </Tabs.Tab>
        <Tabs.Tab title={t('Account and members')} key="account">
          <FundIssuer issuerId={issuer.id} onDone={refresh} />
          <List header={t('Members who act for {{name}}', { name: issuer.name })}>
            {(issuer.members ?? []).map((m) => (
              <List.Item key={m.id} description={m.handle}>
                {m.displayName}
              </List.Item>
            ))}
          </List>
        </Tabs.Tab>
      </Tabs>
    </Page>
  );
}

function FundIssuer({ issuerId, onDone }: { issuerId: string; onDone: () => void }) {
  const { t } = useTranslation();
  const [amount, setAmount] = useState('');
  const [askPin, setAskPin] = useState(false);
  const [pinError, setPinError] = useState<string | undefined>();
  const [key, setKey] = useState(() => crypto.randomUUID());
  const minor = parseMajor(amount);
  return (
    <div className="form-card">
      <strong>{t('Fund the issuer account from my wallet')}</strong>
      <div className="merchant-row">
        <Field aria-label={t('Amount')} placeholder={t('Amount')} inputMode="decimal" value={amount} onValue={setAmount} data-testid={TID.ISSUER_FUND_AMOUNT} />
        <Button size="small" color="primary" disabled={!minor} onClick={() => setAskPin(true)} data-testid={TID.ISSUER_FUND_SUBMIT}>
          {t('Fund')}
        </Button>
      </div>
      <PinPrompt
        visible={askPin}
        title={`${t('Fund the issuer account')} ¥${formatMinor(minor ?? 0)}`}
        error={pinError}
        onClose={() => {
          setAskPin(false);
          setPinError(undefined);
        }}
        onPin={async (pin) => {
          try {
            await merchantsApi.fundIssuer(issuerId, minor ?? '0', pin, key);
            setAskPin(false);
            setPinError(undefined);
            setAmount('');
            setKey(crypto.randomUUID());
            Toast.show({ content: t('Issuer account funded'), icon: 'success' });
            onDone();
          } catch (error) {
            setPinError(errorText(error));
          }
        }}
      />
    </div>
  );
}
