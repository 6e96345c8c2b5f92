//===- OnnxWriter.cpp - patch quantized weights into an ONNX model --------===//
//
// The only code of --export-onnx that calls libonnx and protobuf; compiled
// with exceptions (libonnx and protobuf throw), it catches everything and
// returns an error message.
//
// The source model is read whole (external data included), every quantized
// matmul's weight input is replaced by a DequantizeLinear of the codes (or
// the node by com.microsoft MatMulNBits), static activation schemes become a
// QuantizeLinear/DequantizeLinear pair in front of the node, initializers no
// longer read are dropped, the default opset is raised to what the new nodes
// need (rewriting the nodes whose signature changed on the way), and the
// model is written with large initializers in `<output>.data`.
//
//===----------------------------------------------------------------------===//

#include "OnnxExport.h"
#include "OnnxModel.h"

#include "lowbit/Quant/HalfPrecision.h"

#include <onnx/onnx_pb.h>

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <map>
#include <set>
#include <unistd.h>

using namespace lowbit::onnx_export;
namespace ox = lowbit::onnx_import;

namespace {

struct WriteError {
  std::string message;
};

[[noreturn]] void fail(const std::string &message) {
  throw WriteError{message};
}

std::string directoryOf(const std::string &path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? "." : path.substr(0, slash);
}

std::string baseName(const std::string &path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

bool isFourBit(int dataType) {
  return dataType == ox::kInt4 || dataType == ox::kUInt4;
}

/// Reads `path` into `model`, with external data loaded into raw_data.
void readSource(const std::string &path, onnx::ModelProto &model) {
  int fd = ::open(path.c_str(), O_RDONLY);
  if (fd < 0)
    fail("cannot open the source model '" + path +
         "': " + std::strerror(errno));
  bool parsed;
  {
    google::protobuf::io::FileInputStream fileStream(fd);
    google::protobuf::io::CodedInputStream coded(&fileStream);
    coded.SetTotalBytesLimit(INT_MAX);
    parsed =
        model.ParseFromCodedStream(&coded) && coded.ConsumedEntireMessage();
  }
  ::close(fd);
  if (!parsed || !model.has_graph())
    fail("the source model '" + path +
         "' is not a valid ONNX model (truncated or corrupt file)");
  std::string dir = directoryOf(path);
  for (onnx::TensorProto &tensor :
       *model.mutable_graph()->mutable_initializer()) {
    if (tensor.data_location() != onnx::TensorProto::EXTERNAL)
      continue;
    std::string location;
    long long offset = 0, length = -1;
    for (const auto &entry : tensor.external_data()) {
      auto number = [&](long long &value) {
        char *end = nullptr;
        errno = 0;
        value = std::strtoll(entry.value().c_str(), &end, 10);
        if (errno || end == entry.value().c_str() || *end || value < 0)
          fail("initializer '" + tensor.name() +
               "' has an invalid external "
               "data " +
               entry.key() + " '" + entry.value() + "'");
      };
      if (entry.key() == "location")
        location = entry.value();
      else if (entry.key() == "offset")
        number(offset);
      else if (entry.key() == "length")
        number(length);
    }
    std::string file = dir + "/" + location;
    std::ifstream in(file, std::ios::binary);
    if (location.empty() || !in)
      fail("cannot open the external data '" + file + "' of initializer '" +
           tensor.name() + "'");
    in.seekg(0, std::ios::end);
    long long size = static_cast<long long>(in.tellg());
    if (length < 0)
      length = size - offset;
    if (offset > size || length < 0 || offset + length > size)
      fail("the external data '" + file + "' of initializer '" + tensor.name() +
           "' is shorter than its offset + length");
    std::string bytes(static_cast<size_t>(std::max(length, 0LL)), '\0');
    in.seekg(offset);
    in.read(bytes.data(), length);
    if (!in)
      fail("the external data '" + file + "' of initializer '" + tensor.name() +
           "' is shorter than its offset + length");
    tensor.clear_external_data();
    tensor.set_data_location(onnx::TensorProto::DEFAULT);
    tensor.set_raw_data(std::move(bytes));
  }
}

/// Packs one code per byte into ONNX's layout: 4-bit types two per byte, low
/// nibble first.
std::string pack(const std::vector<uint8_t> &codes, int dataType) {
  if (!isFourBit(dataType))
    return std::string(codes.begin(), codes.end());
  std::string bytes((codes.size() + 1) / 2, '\0');
  for (size_t i = 0; i < codes.size(); ++i)
    bytes[i / 2] = static_cast<char>(static_cast<uint8_t>(bytes[i / 2]) |
                                     ((codes[i] & 0xF) << (i % 2 ? 4 : 0)));
  return bytes;
}

/// The 4-bit or 8-bit pattern of a zero-point in the code type.
uint8_t zeroPointCode(int32_t zeroPoint, int dataType) {
  return isFourBit(dataType) ? static_cast<uint8_t>(zeroPoint & 0xF)
                             : static_cast<uint8_t>(zeroPoint & 0xFF);
}

void setDims(onnx::TensorProto &tensor, const std::vector<int64_t> &dims) {
  tensor.clear_dims();
  for (int64_t d : dims)
    tensor.add_dims(d);
}

onnx::AttributeProto intAttribute(const std::string &name, int64_t value) {
  onnx::AttributeProto attr;
  attr.set_name(name);
  attr.set_type(onnx::AttributeProto::INT);
  attr.set_i(value);
  return attr;
}

/// The scales as FLOAT, FLOAT16 or BFLOAT16 raw bytes.
std::string scaleBytes(const std::vector<float> &scales, int dataType) {
  std::string bytes;
  if (dataType == ox::kFloat16 || dataType == ox::kBFloat16) {
    for (float s : scales) {
      uint16_t bits = dataType == ox::kFloat16
                          ? lowbit::quant::floatToHalfBits(s)
                          : lowbit::quant::floatToBFloat16Bits(s);
      bytes.append(reinterpret_cast<const char *>(&bits), 2);
    }
  } else {
    bytes.assign(reinterpret_cast<const char *>(scales.data()),
                 scales.size() * sizeof(float));
  }
  return bytes;
}

class Writer {
public:
  Writer(const ExportRequest &request, ExportSummary &summary)
      : request(request), summary(summary) {}

  void run() {
    readSource(request.sourcePath, model);
    onnx::GraphProto &graph = *model.mutable_graph();
    for (const auto &t : graph.initializer())
      names.insert(t.name());
    for (const auto &v : graph.input())
      names.insert(v.name());
    for (int i = 0; i < graph.node_size(); ++i) {
      const onnx::NodeProto &node = graph.node(i);
      for (const std::string &out : node.output())
        names.insert(out);
      if (!node.name().empty())
        nodeByName.emplace(node.name(), i);
    }
    // The importer names an unnamed node's ops after its first output.
    for (int i = 0; i < graph.node_size(); ++i) {
      const onnx::NodeProto &node = graph.node(i);
      if (node.name().empty() && node.output_size() > 0)
        nodeByName.emplace(node.output(0), i);
    }
    for (int i = 0; i < graph.initializer_size(); ++i)
      initializerByName.emplace(graph.initializer(i).name(), i);

    // Activations first: finding a node by its weight needs the weight
    // input still in place.
    for (const QuantizedActivation &activation : request.activations)
      applyActivation(activation);
    for (const QuantizedWeight &weight : request.weights)
      applyWeight(weight);
    raiseOpset();
    rebuildNodes();
    dropUnusedInitializers();
    write();
  }

private:
  std::string uniqueName(const std::string &base) {
    std::string name = base;
    for (int i = 1; names.count(name); ++i)
      name = base + "_" + std::to_string(i);
    names.insert(name);
    return name;
  }

  onnx::TensorProto &addInitializer(const std::string &base, int dataType,
                                    const std::vector<int64_t> &dims,
                                    std::string bytes) {
    onnx::TensorProto &tensor = *added.Add();
    tensor.set_name(uniqueName(base));
    tensor.set_data_type(dataType);
    setDims(tensor, dims);
    tensor.set_raw_data(std::move(bytes));
    return tensor;
  }

  /// The nodes a quantized matmul stands for: the node named `nodeName`, or
  /// the MatMul/Gemm nodes reading `weightName` as their weight.
  std::vector<int> findNodes(const std::string &nodeName,
                             const std::string &weightName,
                             const std::string &location) {
    const onnx::GraphProto &graph = model.graph();
    std::vector<int> found;
    if (!nodeName.empty()) {
      auto it = nodeByName.find(nodeName);
      if (it != nodeByName.end()) {
        found.push_back(it->second);
        return found;
      }
      if (weightName.empty())
        fail("the source model has no node named '" + nodeName +
             "' (the quantized matmul at " + location +
             " is named after it): is '" + request.sourcePath +
             "' the model this MLIR was imported from?");
    }
    for (int i = 0; i < graph.node_size(); ++i) {
      const onnx::NodeProto &node = graph.node(i);
      if ((node.op_type() == "MatMul" || node.op_type() == "Gemm") &&
          node.input_size() > 1 && node.input(1) == weightName)
        found.push_back(i);
    }
    if (found.empty() && !nodeName.empty())
      fail("the source model has no node named '" + nodeName +
           "' and no MatMul or Gemm reading '" + weightName +
           "' (the quantized matmul at " + location + "): is '" +
           request.sourcePath + "' the model this MLIR was imported from?");
    if (found.empty())
      fail("the quantized matmul at " + location +
           " has no name location and no MatMul or Gemm of the source model "
           "reads its weight '" +
           weightName +
           "' (keep locations: write the quantized model as bytecode or with "
           "--mlir-print-debuginfo)");
    return found;
  }

  void applyWeight(const QuantizedWeight &weight) {
    for (int index :
         findNodes(weight.nodeName, weight.weightName, weight.location)) {
      onnx::NodeProto &node = *model.mutable_graph()->mutable_node(index);
      bool gemm = node.op_type() == "Gemm";
      if ((node.op_type() != "MatMul" && !gemm) ||
          !(node.domain().empty() || node.domain() == "ai.onnx"))
        fail("node '" + node.name() + "' is a " + node.op_type() +
             ", not a MatMul or Gemm: the quantized matmul at " +
             weight.location + " cannot be exported onto it");
      if (node.input_size() < 2 || !initializerByName.count(node.input(1)))
        fail("node '" + node.name() + "': its weight input '" +
             (node.input_size() > 1 ? node.input(1) : std::string()) +
             "' is not an initializer; only constant weights are exported");
      bool transB = false;
      if (gemm)
        for (const auto &attr : node.attribute())
          if (attr.name() == "transB")
            transB = attr.i() != 0;
      const onnx::TensorProto &source =
          model.graph().initializer(initializerByName.at(node.input(1)));
      std::vector<int64_t> expected =
          transB ? std::vector<int64_t>{weight.n, weight.k}
                 : std::vector<int64_t>{weight.k, weight.n};
      std::vector<int64_t> dims(source.dims().begin(), source.dims().end());
      int floatType = source.data_type();
      if (floatType != ox::kFloat && floatType != ox::kFloat16 &&
          floatType != ox::kBFloat16)
        fail("node '" + node.name() + "': weight '" + node.input(1) + "' is " +
             ox::dataTypeName(floatType) + ", not FLOAT, FLOAT16 or BFLOAT16");
      if (dims != expected)
        fail("node '" + node.name() + "': weight '" + node.input(1) +
             "' has dims " + formatDims(dims) + ", the quantized matmul at " +
             weight.location + " has [N, K] = [" + std::to_string(weight.n) +
             ", " + std::to_string(weight.k) + "]");
      if (request.matmulNBits && !gemm && isFourBit(weight.dataType) &&
          floatType != ox::kBFloat16 && weight.groupSize >= 16 &&
          (weight.groupSize & (weight.groupSize - 1)) == 0 &&
          weight.k % weight.groupSize == 0) {
        toMatMulNBits(node, weight, floatType);
        continue;
      }
      node.set_input(1, dequantized(node.input(1), weight, transB, floatType));
    }
  }

  static std::string formatDims(const std::vector<int64_t> &dims) {
    std::string text = "[";
    for (size_t i = 0; i < dims.size(); ++i)
      text += (i ? ", " : "") + std::to_string(dims[i]);
    return text + "]";
  }

  /// A DequantizeLinear of `weight` laid out as `[N, K]` (`nk`) or `[K, N]`,
  /// with scales of `floatType`; returns its output name. Nodes reading the
  /// same float weight quantized the same way share it. It reads only
  /// initializers, so it goes first in the graph.
  std::string dequantized(const std::string &floatName,
                          const QuantizedWeight &weight, bool nk,
                          int floatType) {
    std::string key = floatName + (nk ? "/nk" : "/kn");
    auto [first, last] = dequantizedByWeight.equal_range(key);
    for (auto it = first; it != last; ++it) {
      const QuantizedWeight &other = *it->second.second;
      if (other.dataType == weight.dataType &&
          other.groupSize == weight.groupSize && other.codes == weight.codes &&
          other.scales == weight.scales &&
          other.zeroPoints == weight.zeroPoints)
        return it->second.first;
    }
    int64_t n = weight.n, k = weight.k;
    std::vector<uint8_t> codes = weight.codes;
    if (!nk)
      for (int64_t r = 0; r < n; ++r)
        for (int64_t c = 0; c < k; ++c)
          codes[c * n + r] = weight.codes[r * k + c];
    std::vector<int64_t> codeDims =
        nk ? std::vector<int64_t>{n, k} : std::vector<int64_t>{k, n};
    std::string codeName =
        addInitializer(floatName + "_quantized", weight.dataType, codeDims,
                       pack(codes, weight.dataType))
            .name();

    // Scales (and zero-points) in the same orientation.
    std::vector<int64_t> scaleDims;
    std::vector<float> scales = weight.scales;
    std::vector<int32_t> zeroPoints = weight.zeroPoints;
    int64_t axis = -1, blockSize = 0;
    if (weight.groupSize < 0) {
      // Per tensor: scalars.
    } else if (weight.groupSize == 0) {
      scaleDims = {n};
      axis = nk ? 0 : 1;
    } else {
      int64_t groups = k / weight.groupSize;
      blockSize = weight.groupSize;
      axis = nk ? 1 : 0;
      scaleDims = nk ? std::vector<int64_t>{n, groups}
                     : std::vector<int64_t>{groups, n};
      if (!nk) {
        for (int64_t r = 0; r < n; ++r)
          for (int64_t g = 0; g < groups; ++g) {
            scales[g * n + r] = weight.scales[r * groups + g];
            if (!zeroPoints.empty())
              zeroPoints[g * n + r] = weight.zeroPoints[r * groups + g];
          }
      }
      requireOpset(21, "DequantizeLinear with block_size");
    }
    std::string scaleName =
        addInitializer(floatName + "_scale", floatType, scaleDims,
                       scaleBytes(scales, floatType))
            .name();
    onnx::NodeProto dq;
    dq.set_op_type("DequantizeLinear");
    dq.set_name(uniqueName(floatName + "_DequantizeLinear"));
    dq.add_input(codeName);
    dq.add_input(scaleName);
    if (!zeroPoints.empty()) {
      std::vector<uint8_t> zp;
      for (int32_t z : zeroPoints)
        zp.push_back(zeroPointCode(z, weight.dataType));
      dq.add_input(addInitializer(floatName + "_zero_point", weight.dataType,
                                  scaleDims, pack(zp, weight.dataType))
                       .name());
    }
    std::string output = uniqueName(floatName + "_dequantized");
    dq.add_output(output);
    if (axis >= 0)
      *dq.add_attribute() = intAttribute("axis", axis);
    if (blockSize)
      *dq.add_attribute() = intAttribute("block_size", blockSize);
    if (isFourBit(weight.dataType))
      requireOpset(21, "DequantizeLinear of int4/uint4");
    else if (weight.dataType == ox::kFloat8E4M3FN ||
             weight.dataType == ox::kFloat8E5M2)
      requireOpset(19, "DequantizeLinear of float8");
    else if (axis >= 0)
      requireOpset(13, "per-axis DequantizeLinear");
    if (floatType != ox::kFloat)
      requireOpset(19, "DequantizeLinear with float16/bfloat16 scales");
    prologue.push_back(std::move(dq));
    ++summary.dequantizeLinear;
    dequantizedByWeight.emplace(key, std::make_pair(output, &weight));
    return output;
  }

  /// Replaces a MatMul by com.microsoft MatMulNBits (4 bits, blocks along
  /// K): B is uint8 [N, K/block, block/2], codes offset by 8 when signed,
  /// scales float [N * K/block], zero-points packed [N, ceil(K/block/2)].
  void toMatMulNBits(onnx::NodeProto &node, const QuantizedWeight &weight,
                     int floatType) {
    int64_t n = weight.n, k = weight.k, block = weight.groupSize;
    int64_t groups = k / block;
    bool isSigned = weight.dataType == ox::kInt4;
    std::vector<uint8_t> codes(weight.codes.size());
    for (size_t i = 0; i < codes.size(); ++i)
      codes[i] = (weight.codes[i] & 0xF) ^ (isSigned ? 0x8 : 0x0);
    std::string floatName = node.input(1);
    std::string bName =
        addInitializer(floatName + "_nbits", ox::kUInt8, {n, groups, block / 2},
                       pack(codes, ox::kUInt4))
            .name();
    // Scales in A's type (that of the weight it replaces).
    std::string sName =
        addInitializer(floatName + "_nbits_scales", floatType, {n * groups},
                       scaleBytes(weight.scales, floatType))
            .name();
    // MatMulNBits' zero-points are unsigned 4-bit; 8 (its default) is the
    // zero of signed codes.
    std::vector<uint8_t> zp(n * groups);
    bool allEight = true;
    for (int64_t i = 0; i < n * groups; ++i) {
      int32_t z = weight.zeroPoints.empty() ? 0 : weight.zeroPoints[i];
      zp[i] = static_cast<uint8_t>((z + (isSigned ? 8 : 0)) & 0xF);
      allEight &= zp[i] == 8;
    }
    std::string zpName;
    if (!allEight) {
      int64_t rowBytes = (groups + 1) / 2;
      std::string bytes(n * rowBytes, '\0');
      for (int64_t r = 0; r < n; ++r)
        for (int64_t g = 0; g < groups; ++g)
          bytes[r * rowBytes + g / 2] = static_cast<char>(
              static_cast<uint8_t>(bytes[r * rowBytes + g / 2]) |
              (zp[r * groups + g] << (g % 2 ? 4 : 0)));
      zpName = addInitializer(floatName + "_nbits_zero_points", ox::kUInt8,
                              {n * rowBytes}, std::move(bytes))
                   .name();
    }
    std::string a = node.input(0);
    node.clear_input();
    node.add_input(a);
    node.add_input(bName);
    node.add_input(sName);
    if (!zpName.empty())
      node.add_input(zpName);
    node.set_op_type("MatMulNBits");
    node.set_domain("com.microsoft");
    node.clear_attribute();
    *node.add_attribute() = intAttribute("K", k);
    *node.add_attribute() = intAttribute("N", n);
    *node.add_attribute() = intAttribute("bits", 4);
    *node.add_attribute() = intAttribute("block_size", block);
    needsMicrosoftDomain = true;
    ++summary.matmulNBits;
  }

  void applyActivation(const QuantizedActivation &activation) {
    for (int index : findNodes(activation.nodeName, activation.weightName,
                               activation.location))
      quantizeInput(index, activation);
  }

  void quantizeInput(int index, const QuantizedActivation &activation) {
    onnx::NodeProto &node = *model.mutable_graph()->mutable_node(index);
    std::string a = node.input(0);
    std::string base =
        (node.name().empty() ? node.output(0) : node.name()) + "_input";
    // QuantizeLinear's scale has the input's type: that of the float weight.
    int floatType = ox::kFloat;
    if (node.input_size() > 1)
      if (auto it = initializerByName.find(node.input(1));
          it != initializerByName.end())
        floatType = model.graph().initializer(it->second).data_type();
    if (floatType != ox::kFloat)
      requireOpset(19, "QuantizeLinear with float16/bfloat16 scales");
    std::string scale =
        addInitializer(base + "_scale", floatType, {},
                       scaleBytes({activation.scale}, floatType))
            .name();
    std::string zeroPoint =
        addInitializer(
            base + "_zero_point", activation.dataType, {},
            std::string(1, static_cast<char>(zeroPointCode(
                               activation.zeroPoint, activation.dataType))))
            .name();
    std::string quantized = uniqueName(base + "_quantized");
    std::string dequantized = uniqueName(base + "_dequantized");
    onnx::NodeProto q, dq;
    q.set_op_type("QuantizeLinear");
    q.set_name(uniqueName(base + "_QuantizeLinear"));
    q.add_input(a);
    q.add_input(scale);
    q.add_input(zeroPoint);
    q.add_output(quantized);
    dq.set_op_type("DequantizeLinear");
    dq.set_name(uniqueName(base + "_DequantizeLinear"));
    dq.add_input(quantized);
    dq.add_input(scale);
    dq.add_input(zeroPoint);
    dq.add_output(dequantized);
    node.set_input(0, dequantized);
    before[index].push_back(std::move(q));
    before[index].push_back(std::move(dq));
    ++summary.quantizedActivations;
  }

  void requireOpset(int64_t version, const char *why) {
    if (version > requiredOpset) {
      requiredOpset = version;
      requiredBy = why;
    }
  }

  onnx::OperatorSetIdProto *defaultOpset() {
    for (auto &opset : *model.mutable_opset_import())
      if (opset.domain().empty() || opset.domain() == "ai.onnx")
        return &opset;
    return nullptr;
  }

  /// Raises the default opset to what the new nodes need, rewriting the
  /// nodes whose signature changed on the way: Reduce ops took their axes as
  /// an attribute before opset 18 and as an input since; an even Split needs
  /// `num_outputs` from 18; GridSample renamed its modes at 20. Ops whose
  /// meaning changed otherwise, and subgraphs, are refused. The IR version
  /// is raised to what the opset and the new element types need.
  void raiseOpset() {
    onnx::OperatorSetIdProto *opset = defaultOpset();
    if (!opset)
      fail("the source model imports no default ONNX opset");
    int64_t old = opset->version();
    summary.opset = std::max(old, requiredOpset);
    if (needsMicrosoftDomain) {
      bool present = false;
      for (const auto &entry : model.opset_import())
        present |= entry.domain() == "com.microsoft";
      if (!present) {
        auto *entry = model.add_opset_import();
        entry->set_domain("com.microsoft");
        entry->set_version(1);
      }
    }
    raiseIrVersion(std::max(old, requiredOpset));
    if (old >= requiredOpset)
      return;
    if (old < 13)
      fail("the source model uses opset " + std::to_string(old) + "; " +
           requiredBy + " needs opset " + std::to_string(requiredOpset) +
           " and lowbit raises opsets only from 13 on");
    static const std::set<std::string> reduceWithAxesInput = {
        "ReduceMean",   "ReduceMax",       "ReduceMin",
        "ReduceProd",   "ReduceL1",        "ReduceL2",
        "ReduceLogSum", "ReduceLogSumExp", "ReduceSumSquare"};
    onnx::GraphProto &graph = *model.mutable_graph();
    for (onnx::NodeProto &node : *graph.mutable_node()) {
      for (const auto &attr : node.attribute())
        if (attr.has_g() || attr.graphs_size())
          fail("node '" + node.name() + "' (" + node.op_type() +
               ") has a subgraph, which is not rewritten when raising the "
               "opset from " +
               std::to_string(old) + " to " + std::to_string(requiredOpset) +
               " (" + requiredBy + ")");
      if (!(node.domain().empty() || node.domain() == "ai.onnx"))
        continue;
      if (old < 18 && requiredOpset >= 18 && node.op_type() == "Split" &&
          (node.input_size() < 2 || node.input(1).empty())) {
        bool hasNumOutputs = false;
        for (const auto &attr : node.attribute())
          hasNumOutputs |= attr.name() == "num_outputs";
        if (!hasNumOutputs)
          *node.add_attribute() =
              intAttribute("num_outputs", node.output_size());
      }
      if (old < 20 && requiredOpset >= 20 && node.op_type() == "GridSample")
        for (auto &attr : *node.mutable_attribute())
          if (attr.name() == "mode" &&
              (attr.s() == "bilinear" || attr.s() == "bicubic"))
            attr.set_s(attr.s() == "bilinear" ? "linear" : "cubic");
      if ((node.op_type() == "GroupNormalization" && requiredOpset >= 21) ||
          (node.op_type() == "DFT" && requiredOpset >= 20))
        fail("node '" + node.name() + "' (" + node.op_type() +
             ") changed meaning between opset " + std::to_string(old) +
             " and " + std::to_string(requiredOpset) + ", which " + requiredBy +
             " needs; export weights per channel instead");
      if (old < 18 && requiredOpset >= 18 &&
          reduceWithAxesInput.count(node.op_type())) {
        auto *attrs = node.mutable_attribute();
        for (int i = 0; i < attrs->size(); ++i) {
          if (attrs->Get(i).name() != "axes")
            continue;
          std::vector<int64_t> axes(attrs->Get(i).ints().begin(),
                                    attrs->Get(i).ints().end());
          std::string bytes(reinterpret_cast<const char *>(axes.data()),
                            axes.size() * sizeof(int64_t));
          std::string name =
              addInitializer(node.name() + "_axes", ox::kInt64,
                             {static_cast<int64_t>(axes.size())}, bytes)
                  .name();
          while (node.input_size() < 1)
            node.add_input("");
          if (node.input_size() == 1)
            node.add_input(name);
          else
            node.set_input(1, name);
          attrs->DeleteSubrange(i, 1);
          break;
        }
      }
    }
    opset->set_version(requiredOpset);
  }

  /// Opset 21 came with IR version 10 (int4 types), 19 with 9 (float8).
  void raiseIrVersion(int64_t opset) {
    int64_t ir = opset >= 21 ? 10 : opset >= 19 ? 9 : 8;
    for (const onnx::TensorProto &tensor : added) {
      if (isFourBit(tensor.data_type()))
        ir = std::max<int64_t>(ir, 10);
      if (tensor.data_type() == ox::kFloat8E4M3FN ||
          tensor.data_type() == ox::kFloat8E5M2)
        ir = std::max<int64_t>(ir, 9);
    }
    if (model.ir_version() < ir)
      model.set_ir_version(ir);
  }

  /// Inserts the new nodes in front of the nodes that read them.
  void rebuildNodes() {
    onnx::GraphProto &graph = *model.mutable_graph();
    google::protobuf::RepeatedPtrField<onnx::NodeProto> nodes;
    nodes.Swap(graph.mutable_node());
    for (onnx::NodeProto &node : prologue)
      *graph.add_node() = std::move(node);
    for (int i = 0; i < nodes.size(); ++i) {
      for (onnx::NodeProto &node : before[i])
        *graph.add_node() = std::move(node);
      *graph.add_node() = std::move(*nodes.Mutable(i));
    }
    for (onnx::TensorProto &tensor : added)
      *graph.add_initializer() = std::move(tensor);
  }

  /// Drops the float weights the quantized ones replaced.
  void dropUnusedInitializers() {
    onnx::GraphProto &graph = *model.mutable_graph();
    std::set<std::string> used;
    for (const onnx::NodeProto &node : graph.node()) {
      for (const std::string &in : node.input())
        used.insert(in);
      // Subgraphs may read outer initializers: keep everything then.
      for (const auto &attr : node.attribute())
        if (attr.has_g() || attr.graphs_size())
          return;
    }
    for (const auto &out : graph.output())
      used.insert(out.name());
    auto *initializers = graph.mutable_initializer();
    for (int i = initializers->size() - 1; i >= 0; --i)
      if (!used.count(initializers->Get(i).name()))
        initializers->DeleteSubrange(i, 1);
    auto *inputs = graph.mutable_input();
    for (int i = inputs->size() - 1; i >= 0; --i)
      if (!used.count(inputs->Get(i).name()) &&
          initializerByName.count(inputs->Get(i).name()))
        inputs->DeleteSubrange(i, 1);
  }

  void write() {
    const std::string &out = request.outputPath;
    std::string dataName = baseName(out) + ".data";
    std::string dataPath = out + ".data";
    // Unique temporaries: concurrent exports to one path do not clobber
    // each other's half-written files.
    std::string suffix = ".tmp." + std::to_string(::getpid());
    std::string dataTemp = dataPath + suffix;
    std::string modelTemp = out + suffix;
    bool external = false;
    {
      std::ofstream data;
      int64_t offset = 0;
      for (onnx::TensorProto &tensor :
           *model.mutable_graph()->mutable_initializer()) {
        if (request.externalDataThreshold < 0 ||
            static_cast<int64_t>(tensor.raw_data().size()) <
                request.externalDataThreshold)
          continue;
        if (!external) {
          data.open(dataTemp, std::ios::binary | std::ios::trunc);
          if (!data)
            fail("cannot write '" + dataTemp + "': " + std::strerror(errno));
          external = true;
        }
        // 64-byte alignment lets readers map tensors directly.
        int64_t padding = (64 - offset % 64) % 64;
        data.write(std::string(padding, '\0').data(), padding);
        offset += padding;
        const std::string &bytes = tensor.raw_data();
        data.write(bytes.data(), bytes.size());
        auto addEntry = [&](const std::string &key, const std::string &value) {
          auto *entry = tensor.add_external_data();
          entry->set_key(key);
          entry->set_value(value);
        };
        addEntry("location", dataName);
        addEntry("offset", std::to_string(offset));
        addEntry("length", std::to_string(bytes.size()));
        offset += bytes.size();
        tensor.set_data_location(onnx::TensorProto::EXTERNAL);
        tensor.clear_raw_data();
      }
      summary.externalBytes = offset;
      if (external) {
        data.close();
        if (!data) {
          std::remove(dataTemp.c_str());
          fail("cannot write '" + dataTemp + "'");
        }
      }
    }
    {
      std::ofstream os(modelTemp, std::ios::binary | std::ios::trunc);
      if (!os || !model.SerializeToOstream(&os)) {
        std::remove(modelTemp.c_str());
        std::remove(dataTemp.c_str());
        fail("cannot write '" + modelTemp +
             "' (a model over 2 GB needs external data)");
      }
    }
    if (external && std::rename(dataTemp.c_str(), dataPath.c_str()) != 0) {
      std::remove(modelTemp.c_str());
      std::remove(dataTemp.c_str());
      fail("cannot rename '" + dataTemp + "' to '" + dataPath +
           "': " + std::strerror(errno));
    }
    // The model last: until it is in place, nothing refers to the new data.
    if (std::rename(modelTemp.c_str(), out.c_str()) != 0) {
      std::string reason = std::strerror(errno);
      std::remove(modelTemp.c_str());
      if (external)
        std::remove(dataPath.c_str());
      fail("cannot rename '" + modelTemp + "' to '" + out + "': " + reason);
    }
    // A data file left by an earlier export to the same path is stale.
    if (!external)
      std::remove(dataPath.c_str());
  }

  const ExportRequest &request;
  ExportSummary &summary;
  onnx::ModelProto model;
  std::set<std::string> names;
  std::map<std::string, int> nodeByName;
  std::map<std::string, int> initializerByName;
  /// Per float weight and layout: the DequantizeLinear outputs made so far
  /// and the quantized weight each holds.
  std::multimap<std::string, std::pair<std::string, const QuantizedWeight *>>
      dequantizedByWeight;
  /// Weight DequantizeLinear nodes: they read only initializers.
  std::vector<onnx::NodeProto> prologue;
  /// New nodes to put in front of node i.
  std::map<int, std::vector<onnx::NodeProto>> before;
  google::protobuf::RepeatedPtrField<onnx::TensorProto> added;
  int64_t requiredOpset = 0;
  std::string requiredBy;
  bool needsMicrosoftDomain = false;
};

} // namespace

std::string
lowbit::onnx_export::writeQuantizedOnnx(const ExportRequest &request,
                                        ExportSummary &summary) {
  try {
    Writer(request, summary).run();
    return "";
  } catch (const WriteError &error) {
    return error.message;
  } catch (const std::exception &error) {
    return std::string("ONNX export failed: ") + error.what();
  } catch (...) {
    return "ONNX export failed with an unknown exception";
  }
}
