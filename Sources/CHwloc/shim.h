#include <hwloc.h>
/* HWLOC_API_VERSION is checked by hwloc_get_api_version(); expose the header's value. */
static inline unsigned ridgeline_hwloc_api_version(void) { return HWLOC_API_VERSION; }
