//===- TuningDatabaseTest.cpp - the tuning database's file and choices ----===//
#include "tuning/TuningDatabase.h"
#include "tuning/DeviceFingerprint.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/raw_ostream.h"

#include <gtest/gtest.h>

#include <fstream>

using namespace cnnc;

namespace {

/// A database file of its own, removed afterwards.
class TuningDatabaseTest : public ::testing::Test {
protected:
  void SetUp() override {
    llvm::SmallString<128> file;
    ASSERT_FALSE(llvm::sys::fs::createTemporaryFile("tuning", "jsonl", file));
    path = file.str().str();
    llvm::sys::fs::remove(path);
  }
  void TearDown() override { llvm::sys::fs::remove(path); }

  TuningDatabase open() {
    llvm::Expected<TuningDatabase> db = TuningDatabase::open(path);
    EXPECT_TRUE(static_cast<bool>(db)) << llvm::toString(db.takeError());
    return std::move(*db);
  }

  static TuningRecord record(const TuningContext &context, const std::string &kernel,
                             const std::string &schedule, double micros,
                             TuningRecord::Status status = TuningRecord::Status::ok) {
    TuningRecord r;
    r.context = context;
    r.kernel = kernel;
    r.schedule = schedule;
    r.status = status;
    if (status == TuningRecord::Status::ok) {
      r.medianMicros = r.minMicros = r.maxMicros = micros;
      r.runs = 5;
    } else {
      r.message = "failed on purpose";
    }
    r.seed = 7;
    r.time = "2026-11-27T17:00:00Z";
    return r;
  }

  /// Appends a good record, then a copy of its line with `field` replaced by
  /// `bad`: the copy is skipped, for a reason that names `reason`.
  void expectEditedRecordSkipped(const std::string &field, const std::string &bad,
                                 const std::string &reason) {
    {
      TuningDatabase db = open();
      ASSERT_FALSE(static_cast<bool>(db.append(record(here, "conv", "kept", 40))));
    }
    {
      std::ifstream in(path);
      std::string line;
      std::getline(in, line);
      size_t at = line.find(field);
      ASSERT_NE(at, std::string::npos) << line;
      line.replace(at, field.size(), bad);
      std::ofstream out(path, std::ios::app);
      out << line << "\n";
    }
    TuningDatabase db = open();
    EXPECT_EQ(db.records().size(), 1u);
    ASSERT_EQ(db.skippedLines().size(), 1u);
    EXPECT_NE(db.skippedLines()[0].reason.find(reason), std::string::npos);
  }

  std::string path;
  TuningContext here{"0.1.0", "21.0.0", "x86-64-linux-avx2-fma", "cpu=test; cores=2; isa=avx2"};
};

TEST_F(TuningDatabaseTest, MissingFileIsEmpty) {
  TuningDatabase db = open();
  EXPECT_TRUE(db.records().empty());
  EXPECT_TRUE(db.skippedLines().empty());
  EXPECT_EQ(db.best(here, "conv"), nullptr);
}

TEST_F(TuningDatabaseTest, AppendedRecordsReadBackAndResume) {
  {
    TuningDatabase db = open();
    ASSERT_FALSE(static_cast<bool>(db.append(record(here, "conv", "blocked a", 40))));
    ASSERT_FALSE(static_cast<bool>(db.append(record(here, "conv", "blocked b", 30))));
  }
  TuningDatabase db = open();
  ASSERT_EQ(db.records().size(), 2u);
  ASSERT_NE(db.find(here, "conv", "blocked a"), nullptr);
  EXPECT_EQ(db.find(here, "conv", "blocked a")->medianMicros, 40);
  EXPECT_EQ(db.find(here, "conv", "blocked c"), nullptr);
  const TuningRecord *best = db.best(here, "conv");
  ASSERT_NE(best, nullptr);
  EXPECT_EQ(best->schedule, "blocked b");
  EXPECT_EQ(best->medianMicros, 30);
  EXPECT_EQ(best->seed, 7u);
}

TEST_F(TuningDatabaseTest, FailedCandidatesAreNeverChosen) {
  TuningDatabase db = open();
  for (TuningRecord::Status failed :
       {TuningRecord::Status::compileError, TuningRecord::Status::timeout,
        TuningRecord::Status::wrongResult, TuningRecord::Status::crashed})
    ASSERT_FALSE(static_cast<bool>(db.append(record(here, "conv", "broken", 1, failed))));
  ASSERT_FALSE(static_cast<bool>(db.append(record(here, "conv", "slow", 90))));
  TuningDatabase reread = open();
  ASSERT_EQ(reread.records().size(), 5u);
  EXPECT_EQ(reread.records()[2].status, TuningRecord::Status::wrongResult);
  ASSERT_NE(reread.best(here, "conv"), nullptr);
  EXPECT_EQ(reread.best(here, "conv")->schedule, "slow");
}

TEST_F(TuningDatabaseTest, ForeignRecordsAreKeptButNotApplied) {
  TuningContext otherVersion = here, otherTarget = here, otherDevice = here;
  otherVersion.cnncVersion = "0.0.9";
  otherTarget.target = "x86-64-linux-avx512";
  otherDevice.device = "cpu=elsewhere; cores=64; isa=avx512f";
  TuningDatabase db = open();
  for (const TuningContext &context : {otherVersion, otherTarget, otherDevice})
    ASSERT_FALSE(static_cast<bool>(db.append(record(context, "conv", "fast elsewhere", 1))));
  EXPECT_EQ(db.best(here, "conv"), nullptr);
  ASSERT_FALSE(static_cast<bool>(db.append(record(here, "conv", "here", 50))));
  EXPECT_EQ(open().best(here, "conv")->schedule, "here");
  EXPECT_EQ(open().records().size(), 4u);
}

TEST_F(TuningDatabaseTest, CorruptLinesAreReportedByNumberAndSkipped) {
  {
    TuningDatabase db = open();
    ASSERT_FALSE(static_cast<bool>(db.append(record(here, "conv", "first", 40))));
  }
  {
    std::ofstream file(path, std::ios::app);
    file << "{\"schema\": 1, \"cnnc\": \"0.1.0\"\n"; // cut short
    file << "[1, 2]\n";                              // not a record
    file << "{\"schema\": 99}\n";                    // another schema
  }
  {
    TuningDatabase db = open();
    ASSERT_FALSE(static_cast<bool>(db.append(record(here, "conv", "last", 30))));
  }
  TuningDatabase db = open();
  ASSERT_EQ(db.records().size(), 2u);
  ASSERT_EQ(db.skippedLines().size(), 3u);
  EXPECT_EQ(db.skippedLines()[0].line, 2u);
  EXPECT_EQ(db.skippedLines()[1].line, 3u);
  EXPECT_EQ(db.skippedLines()[2].line, 4u);
  EXPECT_NE(db.skippedLines()[2].reason.find("schema 99"), std::string::npos);
  EXPECT_EQ(db.best(here, "conv")->schedule, "last");
}

TEST_F(TuningDatabaseTest, DistillKeepsTheBestPerKernelAndContext) {
  TuningContext elsewhere = here;
  elsewhere.device = "cpu=other";
  TuningDatabase db = open();
  for (const TuningRecord &r :
       {record(here, "conv", "a", 40), record(here, "conv", "b", 20), record(here, "pool", "c", 5),
        record(here, "conv", "d", 30), record(elsewhere, "conv", "e", 10),
        record(here, "pool", "f", 1, TuningRecord::Status::timeout)})
    ASSERT_FALSE(static_cast<bool>(db.append(r)));
  std::vector<TuningRecord> best = distill(db);
  ASSERT_EQ(best.size(), 3u);
  EXPECT_EQ(best[0].schedule, "b");
  EXPECT_EQ(best[1].schedule, "c");
  EXPECT_EQ(best[2].schedule, "e");
}

TEST_F(TuningDatabaseTest, InModelRecordsOutrankKernelAloneOnes) {
  auto inModel = [&](const std::string &schedule, double micros, int check) {
    TuningRecord r = record(here, "conv", schedule, micros);
    r.scope = TuningRecord::Scope::model;
    r.check = check;
    return r;
  };
  TuningDatabase db = open();
  EXPECT_EQ(db.nextCheck(here), 1);
  // Alone, "fast" wins; inside the model the default is faster.
  for (const TuningRecord &r :
       {record(here, "conv", "default", 40), record(here, "conv", "fast", 20),
        inModel("default", 50, 1), inModel("fast", 55, 1)})
    ASSERT_FALSE(static_cast<bool>(db.append(r)));
  TuningDatabase reread = open();
  ASSERT_NE(reread.best(here, "conv"), nullptr);
  EXPECT_EQ(reread.best(here, "conv")->schedule, "default");
  EXPECT_EQ(reread.best(here, "conv")->scope, TuningRecord::Scope::model);
  // Resuming finds each scope's own record.
  EXPECT_EQ(reread.find(here, "conv", "fast")->medianMicros, 20);
  EXPECT_EQ(reread.find(here, "conv", "fast", TuningRecord::Scope::model)->medianMicros, 55);
  // A later check decides alone: its times are never compared with an
  // earlier check's (here "other", faster than anything before, loses).
  EXPECT_EQ(reread.nextCheck(here), 2);
  ASSERT_FALSE(static_cast<bool>(reread.append(inModel("other", 70, 2))));
  ASSERT_FALSE(static_cast<bool>(reread.append(inModel("fast", 80, 2))));
  EXPECT_EQ(open().best(here, "conv")->schedule, "other");
  EXPECT_EQ(open().best(here, "conv")->medianMicros, 70);
  // The latest check's time of a schedule, or none if it was not timed there.
  EXPECT_EQ(open().inLatestCheck(here, "conv", "fast")->medianMicros, 80);
  EXPECT_EQ(open().inLatestCheck(here, "conv", "default"), nullptr);
  EXPECT_EQ(open().nextCheck(here), 3);
  std::vector<TuningRecord> shipped = distill(open());
  ASSERT_EQ(shipped.size(), 1u);
  EXPECT_EQ(shipped[0].schedule, "other");
  EXPECT_EQ(shipped[0].scope, TuningRecord::Scope::model);
  EXPECT_EQ(shipped[0].check, 2);
}

TEST_F(TuningDatabaseTest, AnInModelRecordWithoutACheckIsSkipped) {
  TuningRecord unchecked = record(here, "conv", "fast", 20);
  unchecked.scope = TuningRecord::Scope::model; // and check 0
  TuningRecord checkedAlone = record(here, "conv", "alone", 30);
  checkedAlone.check = 4;
  {
    TuningDatabase db = open();
    ASSERT_FALSE(static_cast<bool>(db.append(unchecked)));
    ASSERT_FALSE(static_cast<bool>(db.append(checkedAlone)));
  }
  TuningDatabase db = open();
  EXPECT_TRUE(db.records().empty());
  ASSERT_EQ(db.skippedLines().size(), 2u);
  EXPECT_NE(db.skippedLines()[0].reason.find("check number"), std::string::npos);
}

TEST_F(TuningDatabaseTest, AScopeOtherThanKernelOrModelIsSkipped) {
  expectEditedRecordSkipped("\"scope\":\"kernel\"", "\"scope\":\"board\"", "'scope'");
}

TEST_F(TuningDatabaseTest, SideBySideRatiosOutrankMediansTimedApart) {
  // "slow" was timed in a fast minute, "fast" in a slow one: their medians
  // say the opposite of their ratios to the default, timed in turns with it.
  TuningRecord byDefault = record(here, "conv", "default", 50);
  byDefault.vsDefault = 1;
  TuningRecord slow = record(here, "conv", "slow", 45);
  slow.vsDefault = 1.05;
  TuningRecord fast = record(here, "conv", "fast", 55);
  fast.vsDefault = 0.9;
  {
    TuningDatabase db = open();
    for (const TuningRecord &r : {byDefault, slow, fast})
      ASSERT_FALSE(static_cast<bool>(db.append(r)));
  }
  TuningDatabase db = open();
  ASSERT_EQ(db.records().size(), 3u);
  EXPECT_DOUBLE_EQ(db.records()[2].vsDefault, 0.9);
  EXPECT_EQ(db.best(here, "conv")->schedule, "fast");
  EXPECT_TRUE(fasterAlone(fast, slow));
  EXPECT_FALSE(fasterAlone(slow, byDefault));
  EXPECT_DOUBLE_EQ(onDefaultScale(fast, 50), 45);
  // A record without a ratio (older, or the tests' stub) compares by medians.
  TuningRecord older = record(here, "conv", "older", 44);
  EXPECT_TRUE(fasterAlone(older, slow));
  EXPECT_DOUBLE_EQ(onDefaultScale(older, 50), 44);
}

TEST_F(TuningDatabaseTest, ANegativeRatioToTheDefaultIsSkipped) {
  expectEditedRecordSkipped("\"vs_default\":0", "\"vs_default\":-1", "'vs_default'");
}

TEST(DeviceFingerprintTest, DescribesThisMachine) {
  DeviceFingerprint device = DeviceFingerprint::host();
  EXPECT_FALSE(device.cpu.empty());
  EXPECT_GT(device.cores, 0u);
  EXPECT_TRUE(std::is_sorted(device.isa.begin(), device.isa.end()));
  EXPECT_EQ(device.str().rfind("cpu=", 0), 0u);
}

} // namespace
