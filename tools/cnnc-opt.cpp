//===- cnnc-opt.cpp - MLIR opt driver with cnnc's dialects and passes -----===//
#include "dialect/Cnn.h"
#include "dialect/Effnet.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::DialectRegistry registry;
  registry.insert<cnnc::effnet::EffnetDialect, cnnc::cnn::CnnDialect, mlir::func::FuncDialect>();
  cnnc::registerCnncPassesAndPipeline();
  return mlir::asMainReturnCode(mlir::MlirOptMain(argc, argv, "cnnc optimizer driver\n", registry));
}
