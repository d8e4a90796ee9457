#pragma once
// Functions for what libhdf5 exposes only as macros, which Swift cannot import: the native
// and standard type ids (H5T_NATIVE_FLOAT expands to `(H5OPEN H5T_NATIVE_FLOAT_g)`), the
// property-list and dataspace defaults, the file access flags, and the error stack, which
// is walked here (a C callback) and turned into text for ChartCLIPError.
#include <hdf5.h>
#include <stddef.h>

/// Opens the library and turns off HDF5's automatic error printing on the calling thread
/// (in thread-safe builds the setting is per thread, so call it before each operation).
void chartclip_h5_silence(void);

/// Writes the current thread's HDF5 error stack as "description (function); ..." into
/// `buffer` (always NUL-terminated, cut at `capacity`), clears the stack, and returns the
/// number of entries.
int chartclip_h5_take_errors(char *buffer, size_t capacity);

// Type ids: native (memory) types.
hid_t chartclip_h5t_native_float(void);
hid_t chartclip_h5t_native_double(void);
hid_t chartclip_h5t_native_int32(void);
hid_t chartclip_h5t_native_int64(void);
// Type ids: little-endian file types, so files are the same on every machine.
hid_t chartclip_h5t_ieee_f32le(void);
hid_t chartclip_h5t_ieee_f64le(void);
hid_t chartclip_h5t_std_i32le(void);
hid_t chartclip_h5t_std_i64le(void);
/// The C string type (copy it, then set its size and character set).
hid_t chartclip_h5t_c_s1(void);
/// The size that marks a variable-length string type.
size_t chartclip_h5t_variable(void);

// Defaults.
hid_t chartclip_h5p_default(void);
hid_t chartclip_h5s_all(void);
/// A new link-creation property list that creates missing intermediate groups.
hid_t chartclip_h5p_create_intermediate_groups(void);
/// A new file-access property list that writes the HDF5 1.8 file format: its object
/// headers carry checksums, so damaged metadata is reported instead of misread, and every
/// HDF5 since 1.8 (h5py included) reads it.
hid_t chartclip_h5p_file_access_checksummed(void);
/// A new file-creation property list that reserves a user block of `size` bytes (a power of
/// two, at least 512) before the HDF5 data, which HDF5 skips; ChartCLIP keeps the file's
/// checksum there.
hid_t chartclip_h5p_file_create_userblock(hsize_t size);
/// A new dataset-creation property list: chunks of `chunk` (rank `rank`) with the
/// Fletcher-32 checksum filter, so damaged data is reported when read. With `rank` 0 it is
/// a plain (contiguous) list.
hid_t chartclip_h5p_dataset_create_checksummed(int rank, const hsize_t *chunk);

// File access flags for H5Fopen / H5Fcreate.
unsigned chartclip_h5f_acc_rdonly(void);
unsigned chartclip_h5f_acc_rdwr(void);
unsigned chartclip_h5f_acc_trunc(void);
unsigned chartclip_h5f_acc_excl(void);

/// Frees the strings HDF5 allocated when reading variable-length strings
/// (H5Dvlen_reclaim before 1.12, H5Treclaim after).
herr_t chartclip_h5_reclaim(hid_t type_id, hid_t space_id, void *buffer);

/// Number of attributes on an object, or a negative value on failure.
int chartclip_h5_attribute_count(hid_t object_id);
