-- Test tooling available to pgTAP files and to `npm test` (both can be enabled on hosted projects too).
create extension if not exists pgtap with schema extensions;
create extension if not exists plpgsql_check with schema extensions;
