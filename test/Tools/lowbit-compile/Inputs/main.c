/* A user of a lowbit-compile'd model, built without MLIR:
 *
 *   cc -I DIR main.c DIR/model.o -lm     (DIR/model.h from --header)
 *   ./a.out x.npy y.npy
 *
 * The model must be `--name=model` with one static 2-D f32 argument and one
 * 2-D f32 result (model_main(const model_f32_2d *, model_f32_2d *)). Reads
 * the argument from a 2-D float32 .npy file (format 1.0, C order, as
 * make_npy.py writes it), prints the result one row per line with %.9g (enough
 * digits to round-trip a float), and writes it as a float32 .npy file so that
 * lowbit-run can compare it with its own result (--expected). Also checks
 * that a wrongly shaped argument is refused with 1.
 */
#include "model.h"

#include <stdio.h>
#include <string.h>

static int fail(const char *message) {
  fprintf(stderr, "main.c: %s\n", message);
  return 2;
}

/* The data of a float32 .npy 1.0 file: after the 10-byte preamble and the
 * header dictionary, whose length is bytes 8-9 (little-endian). */
static float *readNpy(const char *path, long *rows, long *cols) {
  FILE *f = fopen(path, "rb");
  if (!f)
    return NULL;
  unsigned char preamble[10];
  if (fread(preamble, 1, 10, f) != 10 || memcmp(preamble, "\x93NUMPY\x01", 7)) {
    fclose(f);
    return NULL;
  }
  long headerLen = preamble[8] | (preamble[9] << 8);
  char header[256] = {0};
  if (headerLen >= (long)sizeof(header) ||
      fread(header, 1, (size_t)headerLen, f) != (size_t)headerLen) {
    fclose(f);
    return NULL;
  }
  const char *shape = strstr(header, "'shape': (");
  if (!shape || sscanf(shape, "'shape': (%ld, %ld)", rows, cols) != 2) {
    fclose(f);
    return NULL;
  }
  fseek(f, 0, SEEK_END);
  long bytes = ftell(f) - 10 - headerLen;
  fseek(f, 10 + headerLen, SEEK_SET);
  if (bytes != *rows * *cols * (long)sizeof(float)) {
    fclose(f);
    return NULL;
  }
  float *data = malloc((size_t)bytes);
  if (data && fread(data, 1, (size_t)bytes, f) != (size_t)bytes) {
    free(data);
    data = NULL;
  }
  fclose(f);
  return data;
}

static int writeNpy(const char *path, const float *data, int64_t rows,
                    int64_t cols) {
  char header[128];
  int n = snprintf(header, sizeof(header),
                   "{'descr': '<f4', 'fortran_order': False, 'shape': (%lld, "
                   "%lld), }",
                   (long long)rows, (long long)cols);
  /* Pad with spaces so that preamble + header is a multiple of 64 and the
   * header ends with a newline, as numpy.save does. */
  int total = (10 + n + 1 + 63) / 64 * 64;
  memset(header + n, ' ', (size_t)(total - 10 - n - 1));
  header[total - 10 - 1] = '\n';
  int headerLen = total - 10;
  FILE *f = fopen(path, "wb");
  if (!f)
    return 0;
  unsigned char preamble[10] = {0x93,
                                'N',
                                'U',
                                'M',
                                'P',
                                'Y',
                                1,
                                0,
                                (unsigned char)(headerLen & 0xff),
                                (unsigned char)(headerLen >> 8)};
  size_t count = (size_t)(rows * cols);
  int ok = fwrite(preamble, 1, 10, f) == 10 &&
           fwrite(header, 1, (size_t)headerLen, f) == (size_t)headerLen &&
           fwrite(data, sizeof(float), count, f) == count;
  return fclose(f) == 0 && ok;
}

int main(int argc, char **argv) {
  if (argc != 3)
    return fail("usage: main X.npy Y.npy");
  long rows = 0, cols = 0;
  float *x = readNpy(argv[1], &rows, &cols);
  if (!x)
    return fail("cannot read the input (a 2-D float32 .npy file)");

  model_f32_2d arg;
  arg.allocated = x;
  arg.aligned = x;
  arg.offset = 0;
  arg.sizes[0] = rows;
  arg.sizes[1] = cols;
  arg.strides[0] = cols;
  arg.strides[1] = 1;

  model_f32_2d y;
  memset(&y, 0, sizeof(y));
  /* A shape the model was not compiled for is refused. */
  arg.sizes[0] = rows + 1;
  if (model_main(&arg, &y) != 1 || y.allocated)
    return fail("a wrongly shaped argument was not refused");
  arg.sizes[0] = rows;

  int rc = model_main(&arg, &y);
  printf("model_main returned %d\n", rc);
  if (rc != 0)
    return fail("the call failed");
  printf("result %lldx%lld strides [%lld, %lld] offset %lld\n",
         (long long)y.sizes[0], (long long)y.sizes[1], (long long)y.strides[0],
         (long long)y.strides[1], (long long)y.offset);
  const float *base = y.aligned + y.offset;
  float *dense = malloc((size_t)(y.sizes[0] * y.sizes[1]) * sizeof(float));
  for (int64_t i = 0; i < y.sizes[0]; ++i) {
    for (int64_t j = 0; j < y.sizes[1]; ++j) {
      float v = base[i * y.strides[0] + j * y.strides[1]];
      dense[i * y.sizes[1] + j] = v;
      printf("%s%.9g", j ? " " : "", (double)v);
    }
    printf("\n");
  }
  if (!writeNpy(argv[2], dense, y.sizes[0], y.sizes[1]))
    return fail("cannot write the output");
  model_free_result(&y);
  if (y.allocated || y.aligned)
    return fail("model_free_result did not clear the descriptor");
  free(dense);
  free(x);
  return 0;
}
