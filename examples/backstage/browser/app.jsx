// The page the browser test opens: Backstage's own scaffolder Stepper
// (@backstage/plugin-scaffolder-react 2.1.0, `Stepper` of its /alpha entry point, the form
// of the "Create" page) rendered for the manifest the scaffolder backend serves for
// template.yaml, inside the Backstage light theme. Only the app around it is replaced: a
// minimal API holder (feature flags off, English messages, analytics and errors dropped)
// instead of a whole Backstage app. Bundled by run-browser.mjs with esbuild.
import React from 'react';
import { createRoot } from 'react-dom/client';
import { Stepper } from '@backstage/plugin-scaffolder-react/alpha';
import { createVersionedContext, createVersionedValueMap } from '@backstage/version-bridge';
import { UnifiedThemeProvider, themes } from '@backstage/theme';
import '@backstage/ui/css/styles.css';

// The English messages of the scaffolder-react translation ref the Stepper reads.
const MESSAGES = {
  'stepper.backButtonText': 'Back',
  'stepper.createButtonText': 'Create',
  'stepper.reviewButtonText': 'Review',
  'stepper.nextButtonText': 'Next',
};
const translate = (key, options) =>
  key === 'stepper.stepIndexLabel' ? `Step ${options?.index}` : (MESSAGES[key] ?? key);
const never = { subscribe: () => ({ unsubscribe() {} }) };
const APIS = {
  'core.featureflags': { isActive: () => false, getRegisteredFlags: () => [], registerFlag() {} },
  'core.translation': { getTranslation: () => ({ ready: true, t: translate }), translation$: () => never },
  'core.analytics': { captureEvent() {} },
  'core.error': { post(e) { console.error(String(e)); }, error$: () => never },
};
const apiHolder = { get: ref => APIS[ref.id] };
const ApiContext = createVersionedContext('api-context');

// initialState: the form's values to start from (as `?formData=` on the Create page).
// A new form each time (the previous one unmounted), as a new visit to the Create page.
let root;
window.renderStepper = (manifest, initialState) => {
  window.submitted = undefined;
  root?.unmount();
  const container = document.getElementById('root');
  container.replaceChildren();
  root = createRoot(container);
  root.render(
    <ApiContext.Provider value={createVersionedValueMap({ 1: apiHolder })}>
      <UnifiedThemeProvider theme={themes.light}>
        <Stepper
          manifest={manifest}
          initialState={initialState ?? undefined}
          extensions={[]}
          onCreate={async values => {
            window.submitted = JSON.parse(JSON.stringify(values));
          }}
        />
      </UnifiedThemeProvider>
    </ApiContext.Provider>,
  );
};
