import { List } from 'antd-mobile';
import { useTranslation } from 'react-i18next';
import { Navigate, useNavigate, useParams } from 'react-router';
import { Page } from '../../components/Page';
import { useMe } from '../../lib/queries';
import { TID } from '../../testids';
import { operatorSections } from './sections';

/** The console of the people who run this Plaza: one entry per section. */
export function OperatorConsole() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const { data: me } = useMe();
  if (me && !me.isOperator) return <Navigate to="/me" replace />;
  return (
    <Page title={t('Operator console')} fallback="/me">
      <List className="list-gap" data-testid={TID.OPERATOR_CONSOLE}>
        {operatorSections.map((section) => (
          <List.Item
            key={section.path}
            prefix={<span className="entry-icon blue">{section.icon}</span>}
            onClick={() => navigate(`/operator/${section.path}`)}
            data-testid={`operator-section-${section.path}`}
          >
            {t(section.title)}
          </List.Item>
        ))}
      </List>
    </Page>
  );
}

export function OperatorSectionPage() {
  const { t } = useTranslation();
  const { section: path } = useParams();
  const section = operatorSections.find((s) => s.path === path);
  if (!section) return <Navigate to="/operator" replace />;
  return (
    <Page title={t(section.title)} fallback="/operator">
      {section.element}
    </Page>
  );
}
