#include "HDF5Shim.h"
int chartclip_hdf5_shim_version(void) { return 1; }
