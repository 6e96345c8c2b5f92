//===- OnnxReader.cpp - ModelProto to the plain model description ---------===//
//
// The only file that calls libonnx and protobuf. It is compiled with
// exceptions (libonnx throws) and catches everything at its one entry point,
// readOnnxModel, so the rest of lowbit keeps LLVM's -fno-exceptions.
//
// Steps: parse the ModelProto, fix the dims given by --input-shape on the
// graph inputs, run ONNX shape inference (lenient: a node it cannot infer
// leaves its outputs untyped; the importer derives or rejects them), then
// copy the graph into OnnxModel. Tensor bytes are not copied: they point
// into the ModelProto, which the description keeps alive.
//
//===----------------------------------------------------------------------===//

#include "OnnxModel.h"

#include "onnx/defs/schema.h"
#include "onnx/onnx_pb.h"
#include "onnx/shape_inference/implementation.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl.h>

#include <cerrno>
#include <climits>
#include <cstring>
#include <fcntl.h>
#include <set>
#include <unistd.h>

using namespace lowbit::onnx_import;

std::string lowbit::onnx_import::dataTypeName(int dataType) {
  static const char *const names[] = {
      "UNDEFINED",      "FLOAT",      "UINT8",
      "INT8",           "UINT16",     "INT16",
      "INT32",          "INT64",      "STRING",
      "BOOL",           "FLOAT16",    "DOUBLE",
      "UINT32",         "UINT64",     "COMPLEX64",
      "COMPLEX128",     "BFLOAT16",   "FLOAT8E4M3FN",
      "FLOAT8E4M3FNUZ", "FLOAT8E5M2", "FLOAT8E5M2FNUZ",
      "UINT4",          "INT4"};
  if (dataType >= 0 && dataType <= kInt4)
    return names[dataType];
  return "<data type " + std::to_string(dataType) + ">";
}

unsigned lowbit::onnx_import::dataTypeBits(int dataType) {
  switch (dataType) {
  case kBool:
  case kUInt8:
  case kInt8:
  case kFloat8E4M3FN:
  case kFloat8E4M3FNUZ:
  case kFloat8E5M2:
  case kFloat8E5M2FNUZ:
    return 8;
  case kUInt16:
  case kInt16:
  case kFloat16:
  case kBFloat16:
    return 16;
  case kFloat:
  case kInt32:
  case kUInt32:
    return 32;
  case kInt64:
  case kUInt64:
  case kDouble:
    return 64;
  case kUInt4:
  case kInt4:
    return 4;
  default:
    return 0;
  }
}

namespace {
/// Failure carrying a message; thrown inside this file only.
struct ReadError {
  std::string message;
};
} // namespace

[[noreturn]] static void fail(std::string message) {
  throw ReadError{std::move(message)};
}

template <typename T>
static void appendBytes(std::string &out, T value, unsigned bytes) {
  char buffer[sizeof(T)];
  std::memcpy(buffer, &value, sizeof(T));
  out.append(buffer, bytes); // little-endian host
}

static std::string directoryOf(const std::string &path) {
  size_t slash = path.find_last_of('/');
  if (slash == std::string::npos)
    return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

static void convertTensor(const onnx::TensorProto &proto,
                          const std::string &baseDir, OnnxTensor &tensor) {
  tensor.name = proto.name();
  tensor.dataType = proto.data_type();
  for (int64_t dim : proto.dims()) {
    if (dim < 0)
      fail("tensor '" + tensor.name + "' has a negative dimension " +
           std::to_string(dim));
    tensor.dims.push_back(dim);
  }
  if (proto.has_data_location() &&
      proto.data_location() == onnx::TensorProto::EXTERNAL) {
    std::string location;
    for (const auto &entry : proto.external_data()) {
      if (entry.key() == "location")
        location = entry.value();
      else if (entry.key() == "offset" || entry.key() == "length") {
        char *end = nullptr;
        errno = 0;
        long long value = std::strtoll(entry.value().c_str(), &end, 10);
        if (errno || *end || value < 0)
          fail("tensor '" + tensor.name + "' has an invalid external data " +
               entry.key() + " '" + entry.value() + "'");
        (entry.key() == "offset" ? tensor.externalOffset
                                 : tensor.externalLength) = value;
      }
    }
    if (location.empty())
      fail("tensor '" + tensor.name + "' has external data without a location");
    if (location[0] == '/' || location.find("..") != std::string::npos)
      fail("tensor '" + tensor.name + "' has external data location '" +
           location + "' outside the model's directory");
    tensor.externalPath = baseDir + "/" + location;
    return;
  }
  if (proto.has_raw_data()) {
    tensor.data = proto.raw_data();
    return;
  }
  std::string &out = tensor.ownedData;
  unsigned bits = dataTypeBits(tensor.dataType);
  switch (tensor.dataType) {
  case kFloat:
    for (float v : proto.float_data())
      appendBytes(out, v, 4);
    break;
  case kDouble:
    for (double v : proto.double_data())
      appendBytes(out, v, 8);
    break;
  case kInt64:
    for (int64_t v : proto.int64_data())
      appendBytes(out, v, 8);
    break;
  case kUInt32:
  case kUInt64:
    for (uint64_t v : proto.uint64_data())
      appendBytes(out, v, bits / 8);
    break;
  case kBool:
  case kUInt8:
  case kInt8:
  case kUInt16:
  case kInt16:
  case kInt32:
  case kFloat16:
  case kBFloat16:
  case kFloat8E4M3FN:
  case kFloat8E4M3FNUZ:
  case kFloat8E5M2:
  case kFloat8E5M2FNUZ:
    // int32_data holds each element's bit pattern in its low bytes.
    for (int32_t v : proto.int32_data())
      appendBytes(out, v, bits / 8);
    break;
  default:
    fail("tensor '" + tensor.name + "' of data type " +
         dataTypeName(tensor.dataType) + " is not supported without raw_data");
  }
  tensor.data = tensor.ownedData;
}

static OnnxValueType convertType(const onnx::TypeProto &type) {
  OnnxValueType result;
  if (!type.has_tensor_type())
    return result;
  const auto &tensorType = type.tensor_type();
  result.dataType = tensorType.elem_type();
  if (!tensorType.has_shape())
    return result;
  result.hasShape = true;
  for (const auto &dim : tensorType.shape().dim()) {
    if (dim.has_dim_value() && dim.dim_value() >= 0) {
      result.dims.push_back(dim.dim_value());
      result.dimParams.emplace_back();
    } else {
      result.dims.push_back(-1);
      result.dimParams.push_back(dim.has_dim_param() ? dim.dim_param() : "");
    }
  }
  return result;
}

static void convertAttribute(const onnx::AttributeProto &proto,
                             const std::string &baseDir, OnnxAttribute &attr) {
  switch (proto.type()) {
  case onnx::AttributeProto::FLOAT:
    attr.kind = OnnxAttribute::Float;
    attr.f = proto.f();
    break;
  case onnx::AttributeProto::INT:
    attr.kind = OnnxAttribute::Int;
    attr.i = proto.i();
    break;
  case onnx::AttributeProto::STRING:
    attr.kind = OnnxAttribute::String;
    attr.s = proto.s();
    break;
  case onnx::AttributeProto::TENSOR:
    attr.kind = OnnxAttribute::Tensor;
    attr.t = std::make_shared<OnnxTensor>();
    convertTensor(proto.t(), baseDir, *attr.t);
    break;
  case onnx::AttributeProto::FLOATS:
    attr.kind = OnnxAttribute::Floats;
    attr.floats.assign(proto.floats().begin(), proto.floats().end());
    break;
  case onnx::AttributeProto::INTS:
    attr.kind = OnnxAttribute::Ints;
    attr.ints.assign(proto.ints().begin(), proto.ints().end());
    break;
  case onnx::AttributeProto::STRINGS:
    attr.kind = OnnxAttribute::Strings;
    attr.strings.assign(proto.strings().begin(), proto.strings().end());
    break;
  default:
    attr.kind = OnnxAttribute::Other;
    break;
  }
}

static void applyInputShapes(onnx::ModelProto &proto,
                             const InputShapes &inputShapes) {
  auto *graph = proto.mutable_graph();
  for (const auto &[name, dims] : inputShapes) {
    onnx::ValueInfoProto *input = nullptr;
    for (auto &candidate : *graph->mutable_input())
      if (candidate.name() == name)
        input = &candidate;
    if (!input)
      fail("--input-shape names '" + name + "', which is not a graph input");
    auto *tensorType = input->mutable_type()->mutable_tensor_type();
    auto *shape = tensorType->mutable_shape();
    if (shape->dim_size() != 0 &&
        shape->dim_size() != static_cast<int>(dims.size()))
      fail("--input-shape gives " + std::to_string(dims.size()) +
           " dims for input '" + name + "' of rank " +
           std::to_string(shape->dim_size()));
    for (size_t i = 0; i < dims.size(); ++i) {
      if (static_cast<int>(i) >= shape->dim_size())
        shape->add_dim();
      auto *dim = shape->mutable_dim(static_cast<int>(i));
      if (dim->has_dim_value() && dim->dim_value() != dims[i])
        fail("--input-shape gives dim " + std::to_string(i) + " of input '" +
             name + "' as " + std::to_string(dims[i]) +
             ", but the model fixes it to " + std::to_string(dim->dim_value()));
      dim->set_dim_value(dims[i]);
    }
  }
}

static void readModel(const std::string &path, const InputShapes &inputShapes,
                      OnnxModel &model) {
  int fd = ::open(path.c_str(), O_RDONLY);
  if (fd < 0)
    fail("cannot open '" + path + "': " + std::strerror(errno));
  auto proto = std::make_shared<onnx::ModelProto>();
  bool parsed;
  {
    google::protobuf::io::FileInputStream fileStream(fd);
    google::protobuf::io::CodedInputStream coded(&fileStream);
    coded.SetTotalBytesLimit(INT_MAX);
    parsed =
        proto->ParseFromCodedStream(&coded) && coded.ConsumedEntireMessage();
    if (fileStream.GetErrno())
      fail("cannot read '" + path +
           "': " + std::strerror(fileStream.GetErrno()));
  }
  ::close(fd);
  if (!parsed)
    fail("'" + path +
         "' is not a valid ONNX model (protobuf parse failed: "
         "truncated or corrupt file)");
  if (!proto->has_graph())
    fail("'" + path + "' is not a valid ONNX model (no graph)");
  if (proto->opset_import_size() == 0)
    fail("'" + path + "' is not a valid ONNX model (no opset_import)");

  // Every ONNX op has an output; ONNX's own shape inference divides by the
  // output count of some (Split) without checking it.
  for (const auto &node : proto->graph().node())
    if (node.output_size() == 0)
      fail("node '" + node.name() + "' (" + node.op_type() +
           ") has no outputs");
  applyInputShapes(*proto, inputShapes);
  try {
    onnx::shape_inference::InferShapes(
        *proto, onnx::OpSchemaRegistry::Instance(),
        onnx::ShapeInferenceOptions(/*check_type=*/false, /*strict_mode=*/0,
                                    /*data_prop=*/true));
  } catch (const std::exception &e) {
    fail(std::string("ONNX shape inference failed: ") + e.what());
  }

  model.keepAlive = proto;
  model.irVersion = proto->ir_version();
  for (const auto &opset : proto->opset_import()) {
    std::string domain = opset.domain();
    if (domain == "ai.onnx")
      domain.clear();
    model.opsets[domain] = opset.version();
  }
  const onnx::GraphProto &graph = proto->graph();
  model.graphName = graph.name();
  std::string baseDir = directoryOf(path);

  std::set<std::string> initializerNames;
  for (const auto &init : graph.initializer()) {
    auto tensor = std::make_shared<OnnxTensor>();
    convertTensor(init, baseDir, *tensor);
    initializerNames.insert(tensor->name);
    OnnxValueType type;
    type.dataType = tensor->dataType;
    type.hasShape = true;
    type.dims = tensor->dims;
    type.dimParams.resize(type.dims.size());
    model.valueTypes[tensor->name] = type;
    model.initializers.push_back(std::move(tensor));
  }
  auto recordType = [&](const onnx::ValueInfoProto &info) {
    OnnxValueType type = convertType(info.type());
    if (!model.valueTypes.count(info.name()))
      model.valueTypes[info.name()] = type;
    return type;
  };
  for (const auto &input : graph.input()) {
    if (initializerNames.count(input.name()))
      continue;
    model.inputs.push_back({input.name(), recordType(input)});
  }
  for (const auto &output : graph.output())
    model.outputs.push_back({output.name(), recordType(output)});
  for (const auto &info : graph.value_info())
    recordType(info);

  for (const auto &nodeProto : graph.node()) {
    OnnxNode node;
    node.name = nodeProto.name();
    node.opType = nodeProto.op_type();
    node.domain = nodeProto.domain() == "ai.onnx" ? "" : nodeProto.domain();
    node.inputs.assign(nodeProto.input().begin(), nodeProto.input().end());
    node.outputs.assign(nodeProto.output().begin(), nodeProto.output().end());
    for (const auto &attrProto : nodeProto.attribute())
      convertAttribute(attrProto, baseDir, node.attributes[attrProto.name()]);
    model.nodes.push_back(std::move(node));
  }
}

bool lowbit::onnx_import::readOnnxModel(const std::string &path,
                                        const InputShapes &inputShapes,
                                        OnnxModel &model, std::string &error) {
  try {
    readModel(path, inputShapes, model);
    return true;
  } catch (const ReadError &e) {
    error = e.message;
  } catch (const std::exception &e) {
    error = std::string("error while reading the ONNX model: ") + e.what();
  } catch (...) {
    error = "unknown error while reading the ONNX model";
  }
  model = OnnxModel();
  return false;
}

bool lowbit::onnx_import::readOnnxTensorFile(const std::string &path,
                                             OnnxTensor &tensor,
                                             std::string &error) {
  try {
    int fd = ::open(path.c_str(), O_RDONLY);
    if (fd < 0)
      fail("cannot open '" + path + "': " + std::strerror(errno));
    onnx::TensorProto proto;
    bool parsed;
    {
      google::protobuf::io::FileInputStream fileStream(fd);
      google::protobuf::io::CodedInputStream coded(&fileStream);
      coded.SetTotalBytesLimit(INT_MAX);
      parsed =
          proto.ParseFromCodedStream(&coded) && coded.ConsumedEntireMessage();
    }
    ::close(fd);
    if (!parsed)
      fail("'" + path +
           "' is not a valid TensorProto (protobuf parse "
           "failed: truncated or corrupt file)");
    if (proto.data_location() == onnx::TensorProto::EXTERNAL)
      fail("'" + path + "': external data is not supported in tensor files");
    convertTensor(proto, directoryOf(path), tensor);
    // Own the bytes: the proto goes away with this scope.
    if (tensor.ownedData.empty())
      tensor.ownedData.assign(tensor.data.data(), tensor.data.size());
    tensor.data = tensor.ownedData;
    if (tensor.data.size() * 8 !=
        size_t(tensor.numElements()) * dataTypeBits(tensor.dataType))
      fail("'" + path + "': tensor '" + tensor.name + "' holds " +
           std::to_string(tensor.data.size()) +
           " bytes, which does not "
           "match its shape and " +
           dataTypeName(tensor.dataType) + " elements");
    return true;
  } catch (const ReadError &e) {
    error = e.message;
  } catch (const std::exception &e) {
    error = std::string("error while reading '") + path + "': " + e.what();
  } catch (...) {
    error = "unknown error while reading '" + path + "'";
  }
  tensor = OnnxTensor();
  return false;
}
