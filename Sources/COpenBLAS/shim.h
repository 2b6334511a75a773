#include <cblas.h>
/* openblas_get_config / num threads are declared in cblas.h of OpenBLAS. */
