import { ConfigProvider } from 'antd-mobile';
import enUS from 'antd-mobile/es/locales/en-US';
import zhCN from 'antd-mobile/es/locales/zh-CN';
import { lazy, Suspense } from 'react';
import { useTranslation } from 'react-i18next';
import { Navigate, Route, Routes, useLocation } from 'react-router';
import { Shell } from './components/Shell';
import { useAuth } from './lib/api';
import { useRealtime } from './lib/realtime';
import { AuthScreen } from './screens/Auth';
import { ChatsList } from './screens/ChatsList';
import { ChatView } from './screens/ChatView';
import { AddContactPage, GroupChatsPage, NewFriendsPage, ProfilePage, TagsPage } from './screens/Contacts';
import { ContactsList } from './screens/ContactsList';
import { DiscoverFeature, DiscoverList } from './screens/Discover';
import { GroupInfoPage, NewGroupPage } from './screens/Group';
import { AboutPage, AccountSettingsPage, DevicesPage, LanguagePage, MeTab, MyQrPage, PrivacySettingsPage, SettingsPage, ThemePage } from './screens/Me';
import { GroupInvitePage, LoginConfirmPage } from './screens/Scan';

// The QR decoder is only needed once someone opens Scan, so it loads on demand.
const ScanPage = lazy(() => import('./screens/ScanCamera').then((module) => ({ default: module.ScanPage })));
import { ChannelPage, ChannelPostPage, ChannelsPage } from './screens/channels/ChannelsPage';
import { MyChannelPage } from './screens/channels/MyChannelPage';
import { MomentNotificationsPage } from './screens/moments/MomentNotificationsPage';
import { MomentsAlbumPage, MomentsPage } from './screens/moments/MomentsPage';
import { BillPage, GoldPage, WalletPage } from './screens/wallet/WalletPages';
import { OperatorConsole, OperatorSectionPage } from './screens/operator/OperatorConsole';
import { ArticlePage, OfficialAccountPage, OfficialHomePage, OfficialThreadPage } from './screens/official/OfficialPages';
import { ManageOfficialAccountPage, MyOfficialAccountsPage } from './screens/official/PublisherPages';
import { CouponsPage, NearbyPage, PaymentCodePage, PayPage } from './screens/merchants/MemberPages';
import { IssuerConsolePage, IssuerHomePage } from './screens/merchants/IssuerPages';
import { MerchantConsolePage, MerchantHomePage } from './screens/merchants/MerchantPages';

const TAB_PATHS = new Set(['/chats', '/contacts', '/discover', '/me']);

function DetailRoutes() {
  return (
    <Routes>
      <Route path="/chats/:id" element={<ChatView />} />
      <Route path="/chats/:id/info" element={<GroupInfoPage />} />
      <Route path="/new-group" element={<NewGroupPage />} />
      <Route path="/contacts/new-friends" element={<NewFriendsPage />} />
      <Route path="/contacts/groups" element={<GroupChatsPage />} />
      <Route path="/contacts/tags" element={<TagsPage />} />
      <Route path="/profile/:id" element={<ProfilePage />} />
      <Route path="/add-contact" element={<AddContactPage />} />
      <Route
        path="/scan"
        element={
          <Suspense fallback={null}>
            <ScanPage />
          </Suspense>
        }
      />
      <Route path="/login-confirm/:id" element={<LoginConfirmPage />} />
      <Route path="/group-invite/:code" element={<GroupInvitePage />} />
      <Route path="/discover/moments" element={<MomentsPage />} />
      <Route path="/discover/moments/notifications" element={<MomentNotificationsPage />} />
      <Route path="/discover/moments/:id" element={<MomentsAlbumPage />} />
      <Route path="/discover/channels" element={<ChannelsPage />} />
      <Route path="/discover/channels/posts/:id" element={<ChannelPostPage />} />
      <Route path="/discover/channels/mine" element={<MyChannelPage />} />
      <Route path="/discover/nearby" element={<NearbyPage />} />
      <Route path="/discover/coupons" element={<CouponsPage />} />
      <Route path="/discover/channels/c/:id" element={<ChannelPage />} />
      <Route path="/discover/:feature" element={<DiscoverFeature />} />
      <Route path="/me/qr" element={<MyQrPage />} />
      <Route path="/me/wallet" element={<WalletPage />} />
      <Route path="/me/wallet/bill" element={<BillPage />} />
      <Route path="/me/wallet/gold" element={<GoldPage />} />
      <Route path="/me/merchant" element={<MerchantHomePage />} />
      <Route path="/me/merchant/:id" element={<MerchantConsolePage />} />
      <Route path="/me/issuer" element={<IssuerHomePage />} />
      <Route path="/me/issuer/:id" element={<IssuerConsolePage />} />
      <Route path="/me/wallet/pay-code" element={<PaymentCodePage />} />
      <Route path="/pay/:token" element={<PayPage />} />
      <Route path="/operator" element={<OperatorConsole />} />
      <Route path="/operator/:section" element={<OperatorSectionPage />} />
      <Route path="/settings" element={<SettingsPage />} />
      <Route path="/settings/account" element={<AccountSettingsPage />} />
      <Route path="/settings/privacy" element={<PrivacySettingsPage />} />
      <Route path="/settings/devices" element={<DevicesPage />} />
      <Route path="/settings/language" element={<LanguagePage />} />
      <Route path="/settings/theme" element={<ThemePage />} />
      <Route path="/settings/about" element={<AboutPage />} />
      <Route path="/official" element={<OfficialHomePage />} />
      <Route path="/official/mine" element={<MyOfficialAccountsPage />} />
      <Route path="/official/articles/:id" element={<ArticlePage />} />
      <Route path="/official/:id" element={<OfficialAccountPage />} />
      <Route path="/official/:id/messages" element={<OfficialThreadPage />} />
      <Route path="/official/:id/manage" element={<ManageOfficialAccountPage />} />
      <Route path="*" element={<Navigate to="/chats" replace />} />
    </Routes>
  );
}

function SignedIn() {
  const { token, account } = useAuth();
  useRealtime(token, account?.id);
  const { pathname } = useLocation();
  const isTabRoot = TAB_PATHS.has(pathname);
  if (pathname === '/' || pathname === '/login') return <Navigate to="/chats" replace />;
  return (
    <Shell
      lists={{ chats: <ChatsList />, contacts: <ContactsList />, discover: <DiscoverList />, me: <MeTab /> }}
      detail={isTabRoot ? null : <DetailRoutes />}
    />
  );
}

export function App() {
  const { token } = useAuth();
  const { i18n } = useTranslation();
  return <ConfigProvider locale={i18n.language === 'zh' ? zhCN : enUS}>{token ? <SignedIn /> : <AuthScreen />}</ConfigProvider>;
}
