#include <dnnl.h>
#include <dnnl_version.h>

/* Argument ids: oneDNN defines several of them as macros aliasing other macros, which Swift does
 * not import, so they are re-exported here as constants. */
static const int RL_ARG_SRC = DNNL_ARG_SRC;
static const int RL_ARG_SRC_1 = DNNL_ARG_SRC_1;
static const int RL_ARG_DST = DNNL_ARG_DST;
static const int RL_ARG_WEIGHTS = DNNL_ARG_WEIGHTS;
static const int RL_ARG_DIFF_SRC = DNNL_ARG_DIFF_SRC;
static const int RL_ARG_DIFF_DST = DNNL_ARG_DIFF_DST;
static const int RL_ARG_DIFF_WEIGHTS = DNNL_ARG_DIFF_WEIGHTS;
static const int RL_ARG_SCALE = DNNL_ARG_SCALE;
static const int RL_ARG_SHIFT = DNNL_ARG_SHIFT;
static const int RL_ARG_DIFF_SCALE = DNNL_ARG_DIFF_SCALE;
static const int RL_ARG_DIFF_SHIFT = DNNL_ARG_DIFF_SHIFT;
static const int RL_ARG_MEAN = DNNL_ARG_MEAN;
static const int RL_ARG_VARIANCE = DNNL_ARG_VARIANCE;
static const int RL_ARG_SCRATCHPAD = DNNL_ARG_SCRATCHPAD;
static const int RL_ARG_FROM = DNNL_ARG_FROM;
static const int RL_ARG_TO = DNNL_ARG_TO;

/* The version oneDNN was built as, for records. */
static inline void rl_dnnl_version(int *major, int *minor, int *patch) {
    const dnnl_version_t *v = dnnl_version();
    *major = v->major; *minor = v->minor; *patch = v->patch;
}

/* The implementation name oneDNN chose for a primitive descriptor ("brg:avx512_core", "ref:any"),
 * which tells a JIT kernel from the slow reference path. */
static inline const char *rl_impl_info(const_dnnl_primitive_desc_t pd) {
    const char *info = 0;
    if (dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, &info) != dnnl_success) return "unknown";
    return info;
}

/* The memory descriptor a primitive descriptor wants for `what` (src, weights, dst, ...). */
static inline const dnnl_memory_desc_t *rl_query_md(const_dnnl_primitive_desc_t pd, dnnl_query_t what) {
    return dnnl_primitive_desc_query_md(pd, what, 0);
}

/* DNNL_MEMORY_ALLOCATE is a pointer-valued macro: let oneDNN allocate the buffer. */
static inline void *rl_memory_allocate(void) { return DNNL_MEMORY_ALLOCATE; }
