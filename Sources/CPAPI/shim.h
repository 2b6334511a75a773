#include <papi.h>
/* PAPI_VER_CURRENT and PAPI_NULL-style macros are C expressions Swift cannot import. */
static inline int ridgeline_papi_ver_current(void) { return PAPI_VER_CURRENT; }
