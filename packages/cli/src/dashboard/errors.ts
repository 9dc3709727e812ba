/** Errors of the dashboard. */
import { TesseraError } from '@tessera/errors'

/** The dashboard's port is taken by another program. */
export class DashboardPortInUseError extends TesseraError { static override readonly code = 'ERR_DASHBOARD_PORT_IN_USE' }

/** The dashboard's server could not listen for another reason (no such address, no permission). */
export class DashboardListenError extends TesseraError { static override readonly code = 'ERR_DASHBOARD_LISTEN' }

/** The dashboard's port or host option is not usable. */
export class InvalidDashboardOptionError extends TesseraError { static override readonly code = 'ERR_INVALID_DASHBOARD_OPTION' }

/** No headless browser to take the dashboard's screenshot with. */
export class BrowserUnavailableError extends TesseraError { static override readonly code = 'ERR_BROWSER_UNAVAILABLE' }
