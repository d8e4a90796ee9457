// The HDF5 C library (serial build). Macros such as H5T_NATIVE_FLOAT are wrapped as
// functions in the HDF5Shim target.
#include <hdf5.h>
