#pragma once
// Placeholder header; filled by the HDF5 work.
int chartclip_hdf5_shim_version(void);
