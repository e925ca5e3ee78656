/** Process exit codes (sysexits where one fits), for the gateway and every CLI command. */
export const EXIT = { OK: 0, FAILED: 1, DATAERR: 65, SOFTWARE: 70, TEMPFAIL: 75, CONFIG: 78 } as const;
