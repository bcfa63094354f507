import { unstableSetRender } from 'antd-mobile';
import { createRoot, type Root } from 'react-dom/client';

// antd-mobile 5 renders Dialog/Toast with ReactDOM.render, which React 19 removed; this hook
// tells it to use createRoot instead (see mobile.ant.design/guide/v5-for-19).
type Container = (Element | DocumentFragment) & { plazaRoot?: Root };

unstableSetRender((node, container) => {
  const target = container as Container;
  target.plazaRoot ??= createRoot(target);
  const root = target.plazaRoot;
  root.render(node);
  return async () => {
    await new Promise((resolve) => setTimeout(resolve, 0));
    root.unmount();
    target.plazaRoot = undefined;
  };
});
