import type { Config } from '@react-router/dev/config';

export default {
  appDirectory: 'app',
  // Every page is rendered on the server: loaders and actions are the only code that talks to the API.
  ssr: true,
  // React Router 8's behaviour now (8 itself needs Node 22). Handlers read the page location from `url`, not
  // `request.url`, which carries the raw `.data` address of client-side navigations.
  future: {
    v8_middleware: true,
    v8_splitRouteModules: true,
    v8_viteEnvironmentApi: true,
    v8_passThroughRequests: true,
    v8_trailingSlashAwareDataRequests: true,
  },
} satisfies Config;
