#include <papi.h>
#include <pthread.h>
/* PAPI_VER_CURRENT and PAPI_NULL-style macros are C expressions Swift cannot import. */
static inline int ridgeline_papi_ver_current(void) { return PAPI_VER_CURRENT; }
static inline int ridgeline_papi_null(void) { return PAPI_NULL; }
static inline int ridgeline_papi_ok(void) { return PAPI_OK; }
static inline int ridgeline_papi_not_inited(void) { return PAPI_NOT_INITED; }

/* PAPI_thread_init wants a function returning the calling thread's id. */
static unsigned long ridgeline_papi_thread_id(void) { return (unsigned long)pthread_self(); }
static inline int ridgeline_papi_thread_init(void) { return PAPI_thread_init(ridgeline_papi_thread_id); }

/* How many native events a preset maps to on this CPU (0: the preset has no implementation here). */
static inline int ridgeline_papi_preset_native_count(int code) {
    PAPI_event_info_t info;
    if (PAPI_get_event_info(code, &info) != PAPI_OK) return -1;
    return (int)info.count;
}
/* A component's name, disabled flag and reason (PAPI_component_info_t has fixed C arrays). */
static inline const char *ridgeline_papi_component_name(int cidx) {
    const PAPI_component_info_t *c = PAPI_get_component_info(cidx);
    return c ? c->name : "";
}
static inline int ridgeline_papi_component_disabled(int cidx) {
    const PAPI_component_info_t *c = PAPI_get_component_info(cidx);
    return c ? c->disabled : -1;
}
static inline const char *ridgeline_papi_component_disabled_reason(int cidx) {
    const PAPI_component_info_t *c = PAPI_get_component_info(cidx);
    return c ? c->disabled_reason : "";
}
