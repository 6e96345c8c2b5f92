/* Calls a model with one 1-D f32 argument and two 1-D f32 results
 * (Inputs/return-argument.mlir): y0 = x, y1 = a constant. Both results must
 * be fresh malloc'ed buffers (never the argument, never the constant's
 * global), so that freeing them is always right.
 */
#include "model.h"

#include <stdio.h>

int main(void) {
  float x[4] = {1, 2, 3, 4};
  model_f32_1d arg = {x, x, 0, {4}, {1}};
  model_f32_1d y0, y1;
  int rc = model_main(&arg, &y0, &y1);
  printf("model_main returned %d\n", rc);
  if (rc)
    return 1;
  printf("y0 fresh: %d, y1 fresh: %d\n", y0.allocated != x,
         y1.allocated != y0.allocated);
  for (int i = 0; i < 4; ++i)
    printf("%g %g\n", (double)y0.aligned[y0.offset + i * y0.strides[0]],
           (double)y1.aligned[y1.offset + i * y1.strides[0]]);
  x[0] = 42; /* the result does not alias the argument */
  printf("after writing x: y0[0] = %g\n", (double)y0.aligned[y0.offset]);
  model_free_result(&y0);
  model_free_result(&y1);
  model_free_result(&y1); /* cleared: a second call does nothing */
  return 0;
}
