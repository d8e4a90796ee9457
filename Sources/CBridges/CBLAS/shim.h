// OpenBLAS's CBLAS interface plus its threading and core-name extensions
// (openblas_set_num_threads, openblas_get_corename, openblas_get_config).
#include <cblas.h>
