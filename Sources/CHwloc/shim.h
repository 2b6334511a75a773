#include <hwloc.h>
/* HWLOC_API_VERSION is checked by hwloc_get_api_version(); expose the header's value. */
static inline unsigned ridgeline_hwloc_api_version(void) { return HWLOC_API_VERSION; }

/* The attribute union of a cache object; 0 when the object carries none. Swift sees C unions
   as structs, but reading one through a pointer that may be NULL is clearer here. */
static inline unsigned long long ridgeline_hwloc_cache_size(hwloc_obj_t obj) {
    return (obj && obj->attr) ? (unsigned long long)obj->attr->cache.size : 0;
}
static inline unsigned ridgeline_hwloc_cache_linesize(hwloc_obj_t obj) {
    return (obj && obj->attr) ? obj->attr->cache.linesize : 0;
}
/* Ways; 0 unknown, -1 fully associative (hwloc_cache_attr_s). */
static inline int ridgeline_hwloc_cache_associativity(hwloc_obj_t obj) {
    return (obj && obj->attr) ? obj->attr->cache.associativity : 0;
}
static inline int ridgeline_hwloc_cache_depth(hwloc_obj_t obj) {
    return (obj && obj->attr) ? (int)obj->attr->cache.depth : 0;
}
/* 0 unified, 1 data, 2 instruction (hwloc_obj_cache_type_e). */
static inline int ridgeline_hwloc_cache_type(hwloc_obj_t obj) {
    return (obj && obj->attr) ? (int)obj->attr->cache.type : 0;
}
static inline unsigned long long ridgeline_hwloc_numa_memory(hwloc_obj_t obj) {
    return (obj && obj->attr) ? (unsigned long long)obj->attr->numanode.local_memory : 0;
}
/* Objects of `type` inside `obj` (cores under a cache, PUs under a core). */
static inline int ridgeline_hwloc_count_inside(hwloc_topology_t topo, hwloc_obj_t obj, hwloc_obj_type_t type) {
    return hwloc_get_nbobjs_inside_cpuset_by_type(topo, obj->cpuset, type);
}
/* Binds the calling thread (not the process) to the PUs of `obj`. */
static inline int ridgeline_hwloc_bind_thread(hwloc_topology_t topo, hwloc_obj_t obj) {
    return hwloc_set_cpubind(topo, obj->cpuset, HWLOC_CPUBIND_THREAD);
}

/* The hypervisor vendor signature from CPUID leaf 0x40000000 ("KVMKVMKVM", "Microsoft Hv",
   "VMwareVMware"…), written NUL-terminated into out[13]; 0 when not on x86 or not virtualised.
   hwloc has no call for it, and /proc/cpuinfo only says "hypervisor". */
#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
static inline int ridgeline_hypervisor_vendor(char *out) {
    unsigned a, b, c, d;
    __cpuid(1, a, b, c, d);
    if (!(c & (1u << 31))) { out[0] = 0; return 0; }
    __cpuid(0x40000000, a, b, c, d);
    unsigned regs[3] = {b, c, d};
    for (int i = 0; i < 12; i++) out[i] = (char)((regs[i / 4] >> (8 * (i % 4))) & 0xff);
    out[12] = 0;
    return 1;
}
#else
static inline int ridgeline_hypervisor_vendor(char *out) { out[0] = 0; return 0; }
#endif
