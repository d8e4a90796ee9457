#include "HDF5Shim.h"
#include <stdio.h>
#include <string.h>

void chartclip_h5_silence(void) {
    H5open();
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
}

typedef struct {
    char *buffer;
    size_t capacity;
    size_t used;
    int count;
} chartclip_error_text;

static herr_t chartclip_collect_error(unsigned n, const H5E_error2_t *error, void *data) {
    (void)n;
    chartclip_error_text *text = (chartclip_error_text *)data;
    text->count += 1;
    if (text->used + 1 >= text->capacity) return 0;
    const char *description = error->desc ? error->desc : "unknown error";
    const char *function = error->func_name ? error->func_name : "?";
    int written = snprintf(
        text->buffer + text->used, text->capacity - text->used, "%s%s (%s)",
        text->used > 0 ? "; " : "", description, function);
    if (written > 0) {
        size_t step = (size_t)written;
        text->used += step < text->capacity - text->used ? step : text->capacity - text->used - 1;
    }
    return 0;
}

int chartclip_h5_take_errors(char *buffer, size_t capacity) {
    if (capacity == 0) return 0;
    buffer[0] = '\0';
    chartclip_error_text text = {buffer, capacity, 0, 0};
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, chartclip_collect_error, &text);
    H5Eclear2(H5E_DEFAULT);
    return text.count;
}

hid_t chartclip_h5t_native_float(void) { return H5T_NATIVE_FLOAT; }
hid_t chartclip_h5t_native_double(void) { return H5T_NATIVE_DOUBLE; }
hid_t chartclip_h5t_native_int32(void) { return H5T_NATIVE_INT32; }
hid_t chartclip_h5t_native_int64(void) { return H5T_NATIVE_INT64; }
hid_t chartclip_h5t_ieee_f32le(void) { return H5T_IEEE_F32LE; }
hid_t chartclip_h5t_ieee_f64le(void) { return H5T_IEEE_F64LE; }
hid_t chartclip_h5t_std_i32le(void) { return H5T_STD_I32LE; }
hid_t chartclip_h5t_std_i64le(void) { return H5T_STD_I64LE; }
hid_t chartclip_h5t_c_s1(void) { return H5T_C_S1; }
size_t chartclip_h5t_variable(void) { return H5T_VARIABLE; }

hid_t chartclip_h5p_default(void) { return H5P_DEFAULT; }
hid_t chartclip_h5s_all(void) { return H5S_ALL; }

hid_t chartclip_h5p_create_intermediate_groups(void) {
    hid_t list = H5Pcreate(H5P_LINK_CREATE);
    if (list < 0) return list;
    if (H5Pset_create_intermediate_group(list, 1) < 0) {
        H5Pclose(list);
        return -1;
    }
    // Names are UTF-8, as h5py writes and expects them.
    if (H5Pset_char_encoding(list, H5T_CSET_UTF8) < 0) {
        H5Pclose(list);
        return -1;
    }
    return list;
}

hid_t chartclip_h5p_file_access_checksummed(void) {
    hid_t list = H5Pcreate(H5P_FILE_ACCESS);
    if (list < 0) return list;
    if (H5Pset_libver_bounds(list, H5F_LIBVER_V18, H5F_LIBVER_V18) < 0) {
        H5Pclose(list);
        return -1;
    }
    return list;
}

hid_t chartclip_h5p_file_create_userblock(hsize_t size) {
    hid_t list = H5Pcreate(H5P_FILE_CREATE);
    if (list < 0) return list;
    if (H5Pset_userblock(list, size) < 0) {
        H5Pclose(list);
        return -1;
    }
    return list;
}

hid_t chartclip_h5p_dataset_create_checksummed(int rank, const hsize_t *chunk) {
    hid_t list = H5Pcreate(H5P_DATASET_CREATE);
    if (list < 0 || rank <= 0) return list;
    if (H5Pset_chunk(list, rank, chunk) < 0 || H5Pset_fletcher32(list) < 0) {
        H5Pclose(list);
        return -1;
    }
    return list;
}

unsigned chartclip_h5f_acc_rdonly(void) { return H5F_ACC_RDONLY; }
unsigned chartclip_h5f_acc_rdwr(void) { return H5F_ACC_RDWR; }
unsigned chartclip_h5f_acc_trunc(void) { return H5F_ACC_TRUNC; }
unsigned chartclip_h5f_acc_excl(void) { return H5F_ACC_EXCL; }

herr_t chartclip_h5_reclaim(hid_t type_id, hid_t space_id, void *buffer) {
#if H5_VERSION_GE(1, 12, 0)
    return H5Treclaim(type_id, space_id, H5P_DEFAULT, buffer);
#else
    return H5Dvlen_reclaim(type_id, space_id, H5P_DEFAULT, buffer);
#endif
}

static herr_t chartclip_count_attribute(hid_t location, const char *name, const H5A_info_t *info, void *data) {
    (void)location;
    (void)name;
    (void)info;
    *(int *)data += 1;
    return 0;
}

int chartclip_h5_attribute_count(hid_t object_id) {
    int count = 0;
    hsize_t index = 0;
    if (H5Aiterate2(object_id, H5_INDEX_NAME, H5_ITER_INC, &index, chartclip_count_attribute, &count) < 0) {
        return -1;
    }
    return count;
}
