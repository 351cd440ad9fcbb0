//===- HardwareProfile.cpp - reading hardware profiles --------------------===//
#include "cost/HardwareProfile.h"
#include "cost/HostCalibration.h"
#include "frontend/FieldReader.h"
#include "support/EmbeddedFile.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

using namespace mlir;

namespace cnnc {

/// hardware/*.yaml, embedded at build time (HardwareProfileData.cpp).
extern const EmbeddedFile kEmbeddedHardwareProfiles[];
extern const size_t kEmbeddedHardwareProfilesCount;

namespace {

using spec::FieldReader;
using spec::Node;

using spec::isNonNegativeNumber;
using spec::isPositiveNumber;

/// Rows and columns up to 2^16 each: past any array built, and far from
/// overflowing the cycle count's arithmetic.
bool isArraySide(int64_t v) { return v > 0 && v <= (int64_t(1) << 16); }

constexpr const char *kPositive = "a positive number";
constexpr const char *kNonNegative = "a number, 0 or more";
constexpr const char *kPicojoules = "picojoules, 0 or more";

const llvm::StringRef kSystolicKeys[] = {"array", "buffers", "dram_bytes_per_cycle"};
const llvm::StringRef kRooflineKeys[] = {"peak_ops_per_s", "memory_bytes_per_s"};

const EmbeddedTable kShippedProfiles{kEmbeddedHardwareProfiles, kEmbeddedHardwareProfilesCount,
                                     ".yaml"};

/// Reads the profile's sections; `ok` turns false at the first error, and
/// reading goes on so that one run reports every mistake.
class ProfileReader {
public:
  ProfileReader(const spec::Diagnostics &diag, bool &ok) : diag(diag), ok(ok) {}

  HardwareProfile read(const Node &root, llvm::StringRef fallbackName) {
    llvm::SmallVector<llvm::StringRef> keys = {"name",     "kind",           "description",
                                               "clock_hz", "static_power_w", "energy"};
    keys.append(std::begin(kSystolicKeys), std::end(kSystolicKeys));
    keys.append(std::begin(kRooflineKeys), std::end(kRooflineKeys));
    FieldReader fields(root, "the hardware profile", keys, diag, ok);
    HardwareProfile profile;
    profile.name = fields.optionalString("name").value_or(fallbackName.str());
    if (!spec::isFileSafeName(profile.name))
      fields.fail(fields.has("name") ? fields.find("name")->loc : root.loc)
          << "a hardware profile's name ('" << profile.name
          << "') names files and report sections: a letter or digit, then letters, digits, '.', "
             "'_' and '-'"
          << (fields.has("name") ? "" : "; give it a 'name:'");
    profile.description = fields.optionalString("description").value_or("");
    profile.clockHz =
        fields.requiredNumber("clock_hz", isPositiveNumber, "a positive frequency in Hz");
    profile.staticPowerW =
        fields.requiredNumber("static_power_w", isNonNegativeNumber, "watts, 0 or more");
    static const std::pair<llvm::StringRef, bool> kinds[] = {{"systolic", true},
                                                             {"roofline", false}};
    if (!fields.has("kind") && root.kind == Node::Kind::Mapping)
      fields.fail(root.loc) << "the hardware profile needs 'kind' (systolic or roofline)";
    std::optional<bool> systolic = fields.optionalChoice<bool>("kind", kinds);
    if (!systolic)
      return profile;
    refuseKeysOf(fields, *systolic ? llvm::ArrayRef<llvm::StringRef>(kRooflineKeys) : kSystolicKeys,
                 *systolic ? "roofline" : "systolic");
    if (*systolic)
      profile.device = readSystolic(fields);
    else
      profile.device = readRoofline(fields);
    return profile;
  }

private:
  void refuseKeysOf(FieldReader &fields, llvm::ArrayRef<llvm::StringRef> keys,
                    llvm::StringRef kind) {
    for (llvm::StringRef key : keys)
      if (fields.has(key))
        fields.fail(fields.keyLoc(key)) << "'" << key << "' belongs to " << kind << " profiles";
  }

  PerPrecision perPrecision(FieldReader &fields, llvm::StringRef key, const spec::NumberRule &rule,
                            llvm::StringRef expected, double scale) {
    PerPrecision value;
    const Node *node = fields.requiredMapping(key);
    if (!node)
      return value;
    FieldReader each(*node, "'" + key.str() + "'", {"int8", "fp32"}, diag, ok);
    value.int8 = each.requiredNumber("int8", rule, expected) * scale;
    value.fp32 = each.requiredNumber("fp32", rule, expected) * scale;
    return value;
  }

  SystolicArray readSystolic(FieldReader &fields) {
    SystolicArray array;
    array.dramBytesPerCycle = fields.requiredNumber("dram_bytes_per_cycle", isPositiveNumber,
                                                    "a positive number of bytes");
    if (const Node *node = fields.requiredMapping("array")) {
      FieldReader a(*node, "'array'", {"rows", "columns", "dataflow", "depthwise"}, diag, ok);
      array.rows = a.requiredInteger("rows", isArraySide, "a number of rows from 1 to 65536");
      array.columns =
          a.requiredInteger("columns", isArraySide, "a number of columns from 1 to 65536");
      static const std::pair<llvm::StringRef, int> dataflows[] = {{"output_stationary", 0}};
      a.optionalChoice<int>("dataflow", dataflows);
      static const std::pair<llvm::StringRef, DepthwiseMapping> mappings[] = {
          {"channel_parallel", DepthwiseMapping::channelParallel},
          {"per_channel", DepthwiseMapping::perChannel}};
      array.depthwise =
          a.optionalChoice<DepthwiseMapping>("depthwise", mappings).value_or(array.depthwise);
    }
    if (const Node *node = fields.requiredMapping("buffers")) {
      FieldReader b(*node, "'buffers'", {"ifmap_bytes", "filter_bytes", "ofmap_bytes"}, diag, ok);
      auto bytes = [&](llvm::StringRef key) {
        return b.requiredInteger(key, spec::isPositive, "a positive number of bytes");
      };
      array.ifmapBufferBytes = bytes("ifmap_bytes");
      array.filterBufferBytes = bytes("filter_bytes");
      array.ofmapBufferBytes = bytes("ofmap_bytes");
    }
    if (const Node *node = fields.requiredMapping("energy")) {
      FieldReader e(*node, "'energy'", {"mac_pj", "sram_byte_pj", "dram_byte_pj"}, diag, ok);
      array.macEnergyJ = perPrecision(e, "mac_pj", isNonNegativeNumber, kPicojoules, 1e-12);
      array.sramByteEnergyJ =
          e.requiredNumber("sram_byte_pj", isNonNegativeNumber, kPicojoules) * 1e-12;
      array.dramByteEnergyJ =
          e.requiredNumber("dram_byte_pj", isNonNegativeNumber, kPicojoules) * 1e-12;
    }
    return array;
  }

  RooflineDevice readRoofline(FieldReader &fields) {
    RooflineDevice device;
    device.peakOpsPerSecond =
        perPrecision(fields, "peak_ops_per_s", isPositiveNumber, kPositive, 1);
    device.memoryBytesPerSecond = fields.requiredNumber("memory_bytes_per_s", isPositiveNumber,
                                                        "a positive number of bytes per second");
    if (const Node *node = fields.requiredMapping("energy")) {
      FieldReader e(*node, "'energy'", {"op_pj", "memory_byte_pj"}, diag, ok);
      device.opEnergyJ = perPrecision(e, "op_pj", isNonNegativeNumber, kPicojoules, 1e-12);
      device.memoryByteEnergyJ =
          e.requiredNumber("memory_byte_pj", isNonNegativeNumber, kPicojoules) * 1e-12;
    }
    return device;
  }

  const spec::Diagnostics &diag;
  bool &ok;
};

} // namespace

llvm::StringRef precisionName(Precision precision) {
  return precision == Precision::int8 ? "int8" : "fp32";
}

int64_t bytesPerElement(Precision precision) { return precision == Precision::int8 ? 1 : 4; }

std::vector<llvm::StringRef> hardwareProfileNames() { return kShippedProfiles.names(); }

std::optional<std::string> hardwareProfileText(llvm::StringRef name) {
  if (name == kHostProfile)
    return measureHostProfile();
  if (std::optional<llvm::StringRef> text = kShippedProfiles.text(name))
    return text->str();
  return std::nullopt;
}

FailureOr<HardwareProfile> parseHardwareProfile(llvm::StringRef text, llvm::StringRef bufferName,
                                                llvm::SourceMgr &sourceMgr, MLIRContext &context) {
  unsigned id = sourceMgr.AddNewSourceBuffer(llvm::MemoryBuffer::getMemBufferCopy(text, bufferName),
                                             llvm::SMLoc());
  spec::Diagnostics diag(sourceMgr, &context);
  FailureOr<Node> tree = spec::parseSpecTree(id, diag);
  if (failed(tree))
    return failure();
  bool ok = true;
  HardwareProfile profile = ProfileReader(diag, ok).read(*tree, llvm::sys::path::stem(bufferName));
  if (!ok)
    return failure();
  return profile;
}

FailureOr<HardwareProfile> loadHardwareProfile(llvm::StringRef nameOrPath,
                                               llvm::SourceMgr &sourceMgr, MLIRContext &context) {
  bool isPath =
      nameOrPath.contains('/') || nameOrPath.ends_with(".yaml") || nameOrPath.ends_with(".yml");
  if (!isPath) {
    if (std::optional<std::string> text = hardwareProfileText(nameOrPath))
      return parseHardwareProfile(
          *text,
          nameOrPath == kHostProfile ? "host (measured)" : "hardware/" + nameOrPath.str() + ".yaml",
          sourceMgr, context);
    emitError(UnknownLoc::get(&context))
        << "unknown hardware profile '" << nameOrPath
        << "'; shipped: " << llvm::join(hardwareProfileNames(), ", ") << "; " << kHostProfile
        << " (this machine, measured); or the path of a profile file";
    return failure();
  }
  llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> file =
      llvm::MemoryBuffer::getFile(nameOrPath, /*IsText=*/true);
  if (!file) {
    emitError(UnknownLoc::get(&context))
        << "cannot read hardware profile '" << nameOrPath << "': " << file.getError().message();
    return failure();
  }
  return parseHardwareProfile((*file)->getBuffer(), nameOrPath, sourceMgr, context);
}

} // namespace cnnc
