// A row broadcast over the rows of a matrix, the bias of Add and Sub: the forward row add and
// the backward column sums. Their TypeScript twins are addRowTs and sumRowsTs in
// src/ops/broadcast.ts. And the row-block copy of Slice and Concat, whose twin is copyBlockTs in
// src/ops/columns.ts.
#pragma once

#include <node_api.h>

namespace wiregrad {

// addRow(a, row, y, sign): y[i, j] = a[i, j] + sign·row[j]; a and y are m×n, row holds n values.
napi_value AddRow(napi_env env, napi_callback_info info);

// sumRows(g, out, sign): out[j] = sign·Σᵢ g[i, j], the rows added in order 0..m−1.
napi_value SumRows(napi_env env, napi_callback_info info);

// copyRows(src, srcOffset, srcStride, dst, dstOffset, dstStride, rows, cols): for each row i < rows,
// dst[dstOffset + i·dstStride + j] = src[srcOffset + i·srcStride + j], j < cols; src and dst of one
// element type, sharing no byte.
napi_value CopyRows(napi_env env, napi_callback_info info);

}  // namespace wiregrad
