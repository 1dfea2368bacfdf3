/**
 * What Ink takes from `es-toolkit/compat`, for the bundle (scripts/bundle.mjs aliases the
 * package's barrel to this file). Ink 6 imports one function, `throttle`, from the barrel; the
 * barrel is ≈ 410 modules that every TUI start would otherwise load or bundle. This re-exports
 * the very same function from its own module. If Ink starts importing another name, the bundle
 * fails to build (a missing export), which is the reminder to add it here.
 */
export { default as throttle } from 'es-toolkit/compat/throttle';
