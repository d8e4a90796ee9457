// zlib, for reading gzip files (the CLIP BPE vocabulary ships as bpe_simple_vocab_16e6.txt.gz).
// inflateInit2 is a macro; Swift calls inflateInit2_ with zlibVersion() and sizeof(z_stream).
#include <zlib.h>
