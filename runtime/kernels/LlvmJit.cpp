#include "runtime/kernels/LlvmJit.h"

#include <llvm/ADT/StringMap.h>
#include <llvm/Analysis/TargetLibraryInfo.h>
#include <llvm/ExecutionEngine/Orc/ExecutionUtils.h>
#include <llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h>
#include <llvm/ExecutionEngine/Orc/LLJIT.h>
#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/Intrinsics.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Module.h>
#include <llvm/IR/Verifier.h>
#include <llvm/Passes/PassBuilder.h>
#include <llvm/Support/DynamicLibrary.h>
#include <llvm/Support/Host.h>
#include <llvm/Support/TargetSelect.h>
#include <llvm/Target/TargetMachine.h>

#include <mutex>
#include <stdexcept>

namespace fiver::kernels {

namespace {

template <typename T> T unwrap(llvm::Expected<T> v, const char* what) {
  if (!v) throw std::runtime_error(std::string(what) + ": " + llvm::toString(v.takeError()));
  return std::move(*v);
}

class IrEmitter {
public:
  IrEmitter(llvm::IRBuilder<>& b, llvm::Module& m, std::vector<llvm::Value*> inputs,
            std::vector<llvm::Value*> params)
      : b_(b), m_(m), inputs_(std::move(inputs)), params_(std::move(params)) {}

  llvm::Value* emit(const Node& n) {
    llvm::Type* f32 = b_.getFloatTy();
    switch (n.kind) {
    case Node::Kind::Number:
      return llvm::ConstantFP::get(f32, n.value);
    case Node::Kind::Input:
      return inputs_.at(static_cast<size_t>(n.index));
    case Node::Kind::Param:
      return params_.at(static_cast<size_t>(n.index));
    case Node::Kind::Call:
      break;
    }
    std::vector<llvm::Value*> a;
    for (const NodePtr& arg : n.args)
      a.push_back(emit(*arg));
    llvm::Value* one = llvm::ConstantFP::get(f32, 1.0);
    llvm::Value* zero = llvm::ConstantFP::get(f32, 0.0);
    switch (n.op) {
    case OpCode::Add:
      return b_.CreateFAdd(a[0], a[1]);
    case OpCode::Sub:
      return b_.CreateFSub(a[0], a[1]);
    case OpCode::Mul:
      return b_.CreateFMul(a[0], a[1]);
    case OpCode::Div:
      return b_.CreateFDiv(a[0], a[1]);
    case OpCode::Max:
      return b_.CreateBinaryIntrinsic(llvm::Intrinsic::maxnum, a[0], a[1]);
    case OpCode::Min:
      return b_.CreateBinaryIntrinsic(llvm::Intrinsic::minnum, a[0], a[1]);
    case OpCode::Neg:
      return b_.CreateFNeg(a[0]);
    case OpCode::Relu:
      return b_.CreateSelect(b_.CreateFCmpOGT(a[0], zero), a[0], zero);
    case OpCode::Gelu: {
      llvm::Value* e = libm("erff", b_.CreateFMul(a[0], llvm::ConstantFP::get(f32, M_SQRT1_2)));
      return b_.CreateFMul(b_.CreateFMul(llvm::ConstantFP::get(f32, 0.5), a[0]),
                           b_.CreateFAdd(one, e));
    }
    case OpCode::Silu:
      return b_.CreateFMul(a[0], sigmoid(a[0]));
    case OpCode::Sigmoid:
      return sigmoid(a[0]);
    case OpCode::Tanh:
      return libm("tanhf", a[0]);
    case OpCode::Exp:
      return b_.CreateUnaryIntrinsic(llvm::Intrinsic::exp, a[0]);
    case OpCode::Log:
      return b_.CreateUnaryIntrinsic(llvm::Intrinsic::log, a[0]);
    case OpCode::Sqrt:
      return b_.CreateUnaryIntrinsic(llvm::Intrinsic::sqrt, a[0]);
    case OpCode::Rsqrt:
      return b_.CreateFDiv(one, b_.CreateUnaryIntrinsic(llvm::Intrinsic::sqrt, a[0]));
    case OpCode::Erf:
      return libm("erff", a[0]);
    case OpCode::Where:
      return b_.CreateSelect(b_.CreateFCmpOGT(a[0], zero), a[1], a[2]);
    case OpCode::CastFp32:
      return a[0];
    case OpCode::CastBf16:
      return roundToBf16(a[0]);
    case OpCode::CastFp16:
      return b_.CreateFPExt(b_.CreateFPTrunc(a[0], b_.getHalfTy()), f32);
    }
    throw std::logic_error("unhandled op");
  }

private:
  llvm::Value* sigmoid(llvm::Value* x) {
    llvm::Value* one = llvm::ConstantFP::get(b_.getFloatTy(), 1.0);
    llvm::Value* e = b_.CreateUnaryIntrinsic(llvm::Intrinsic::exp, b_.CreateFNeg(x));
    return b_.CreateFDiv(one, b_.CreateFAdd(one, e));
  }

  llvm::Value* libm(const char* name, llvm::Value* x) {
    llvm::FunctionCallee f = m_.getOrInsertFunction(name, b_.getFloatTy(), b_.getFloatTy());
    return b_.CreateCall(f, {x});
  }

  // Round to nearest even at bf16 precision (NaN stays NaN: its payload is
  // in the high mantissa bits for the values LibTorch produces).
  llvm::Value* roundToBf16(llvm::Value* x) {
    llvm::Type* i32 = b_.getInt32Ty();
    llvm::Value* u = b_.CreateBitCast(x, i32);
    llvm::Value* lsb = b_.CreateAnd(b_.CreateLShr(u, 16), 1);
    llvm::Value* rounded = b_.CreateAdd(u, b_.CreateAdd(lsb, llvm::ConstantInt::get(i32, 0x7fff)));
    llvm::Value* isNan = b_.CreateFCmpUNO(x, x);
    llvm::Value* bits = b_.CreateSelect(isNan, u, rounded);
    return b_.CreateBitCast(b_.CreateAnd(bits, llvm::ConstantInt::get(i32, 0xffff0000u)),
                            b_.getFloatTy());
  }

  llvm::IRBuilder<>& b_;
  llvm::Module& m_;
  std::vector<llvm::Value*> inputs_;
  std::vector<llvm::Value*> params_;
};

} // namespace

struct LlvmJit::State {
  std::unique_ptr<llvm::orc::LLJIT> jit;
  std::unique_ptr<llvm::TargetMachine> machine;
  std::string cpu, features;
  bool vectorMath = false; // glibc's libmvec is loaded
  std::mutex mutex;
  int counter = 0;
};

LlvmJit::LlvmJit() : state_(std::make_unique<State>()) {
  static std::once_flag init;
  std::call_once(init, [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
  });
  auto builder = unwrap(llvm::orc::JITTargetMachineBuilder::detectHost(), "detecting the host");
  state_->cpu = llvm::sys::getHostCPUName().str();
  llvm::StringMap<bool> hostFeatures;
  llvm::SubtargetFeatures features;
  if (llvm::sys::getHostCPUFeatures(hostFeatures))
    for (const auto& f : hostFeatures)
      features.AddFeature(f.first(), f.second);
  state_->features = features.getString();
  builder.setCPU(state_->cpu);
  builder.addFeatures(features.getFeatures());
  builder.setCodeGenOptLevel(llvm::CodeGenOpt::Aggressive);
  state_->machine = unwrap(builder.createTargetMachine(), "creating the target machine");
  state_->jit = unwrap(llvm::orc::LLJITBuilder().setJITTargetMachineBuilder(builder).create(),
                       "creating the JIT");
  // Vector exp/log (sigmoid, silu) come from glibc's libmvec when present;
  // without it those loops stay scalar.
  state_->vectorMath = !llvm::sys::DynamicLibrary::LoadLibraryPermanently("libmvec.so.1");
  // erff and tanhf come from the process's libm.
  state_->jit->getMainJITDylib().addGenerator(
      unwrap(llvm::orc::DynamicLibrarySearchGenerator::GetForCurrentProcess(
                 state_->jit->getDataLayout().getGlobalPrefix()),
             "resolving libm"));
}

LlvmJit::~LlvmJit() = default;

std::string LlvmJit::targetDescription() const {
  return "llvm-" LLVM_VERSION_STRING " " + state_->cpu + " " + state_->features;
}

namespace {

void emitElementwiseKernel(llvm::Module& module, const std::string& name, const Node& expr,
                           int inputs, int params) {
  llvm::LLVMContext& context = module.getContext();
  llvm::IRBuilder<> b(context);
  llvm::Type* f32 = b.getFloatTy();
  llvm::Type* i64 = b.getInt64Ty();
  llvm::Type* ptr = f32->getPointerTo();
  llvm::Type* ptrs = ptr->getPointerTo();
  auto* type = llvm::FunctionType::get(b.getVoidTy(), {ptr, ptrs, ptrs, i64, i64, i64, i64}, false);
  auto* fn = llvm::Function::Create(type, llvm::Function::ExternalLinkage, name, module);
  auto arg = fn->arg_begin();
  llvm::Value *out = arg++, *ins = arg++, *ps = arg++, *begin = arg++, *end = arg++,
              *channels = arg++, *inner = arg++;
  fn->addParamAttr(0, llvm::Attribute::NoAlias);

  auto* entry = llvm::BasicBlock::Create(context, "entry", fn);
  auto* loop = llvm::BasicBlock::Create(context, "loop", fn);
  auto* exit = llvm::BasicBlock::Create(context, "exit", fn);
  b.SetInsertPoint(entry);
  // Base pointers are loaded once, outside the loop.
  std::vector<llvm::Value*> inBase, pBase;
  for (int i = 0; i < inputs; ++i)
    inBase.push_back(b.CreateLoad(ptr, b.CreateConstGEP1_64(ptr, ins, static_cast<uint64_t>(i))));
  for (int k = 0; k < params; ++k)
    pBase.push_back(b.CreateLoad(ptr, b.CreateConstGEP1_64(ptr, ps, static_cast<uint64_t>(k))));
  b.CreateCondBr(b.CreateICmpSLT(begin, end), loop, exit);

  b.SetInsertPoint(loop);
  llvm::PHINode* i = b.CreatePHI(i64, 2);
  i->addIncoming(begin, entry);
  llvm::FastMathFlags fmf;
  fmf.setAllowContract(); // lets the backend form FMAs
  b.setFastMathFlags(fmf);
  std::vector<llvm::Value*> inValues, pValues;
  for (llvm::Value* base : inBase)
    inValues.push_back(b.CreateLoad(f32, b.CreateInBoundsGEP(f32, base, i)));
  if (params > 0) {
    llvm::Value* c = b.CreateURem(b.CreateUDiv(i, inner), channels);
    for (llvm::Value* base : pBase)
      pValues.push_back(b.CreateLoad(f32, b.CreateInBoundsGEP(f32, base, c)));
  }
  llvm::Value* result = IrEmitter(b, module, inValues, pValues).emit(expr);
  b.CreateStore(result, b.CreateInBoundsGEP(f32, out, i));
  llvm::Value* next = b.CreateAdd(i, llvm::ConstantInt::get(i64, 1), "", true, true);
  i->addIncoming(next, loop);
  b.CreateCondBr(b.CreateICmpSLT(next, end), loop, exit);
  b.SetInsertPoint(exit);
  b.CreateRetVoid();
}

} // namespace

CpuKernelFn LlvmJit::compile(const Node& expr, int inputs, int params) {
  return reinterpret_cast<CpuKernelFn>(
      compileModule("fiver_fused_", [&](llvm::Module& module, const std::string& name) {
        emitElementwiseKernel(module, name, expr, inputs, params);
      }));
}

void* LlvmJit::compileModule(const std::string& prefix, const ModuleEmitter& emit) {
  std::lock_guard lock(state_->mutex);
  auto context = std::make_unique<llvm::LLVMContext>();
  auto module = std::make_unique<llvm::Module>("fiver_kernel", *context);
  module->setDataLayout(state_->jit->getDataLayout());
  module->setTargetTriple(state_->machine->getTargetTriple().str());
  const std::string name = prefix + std::to_string(state_->counter++);
  emit(*module, name);

  std::string err;
  llvm::raw_string_ostream errStream(err);
  if (llvm::verifyModule(*module, &errStream))
    throw std::runtime_error("generated invalid LLVM IR: " + errStream.str());

  // O3 with the target's cost model, so the loop vectorizer uses the host's
  // vector width.
  llvm::LoopAnalysisManager lam;
  llvm::FunctionAnalysisManager fam;
  llvm::CGSCCAnalysisManager cgam;
  llvm::ModuleAnalysisManager mam;
  llvm::PassBuilder pb(state_->machine.get());
  llvm::TargetLibraryInfoImpl libraryInfo(state_->machine->getTargetTriple());
  if (state_->vectorMath)
    libraryInfo.addVectorizableFunctionsFromVecLib(llvm::TargetLibraryInfoImpl::LIBMVEC_X86);
  fam.registerPass([&] { return llvm::TargetLibraryAnalysis(libraryInfo); });
  pb.registerModuleAnalyses(mam);
  pb.registerCGSCCAnalyses(cgam);
  pb.registerFunctionAnalyses(fam);
  pb.registerLoopAnalyses(lam);
  pb.crossRegisterProxies(lam, fam, cgam, mam);
  pb.buildPerModuleDefaultPipeline(llvm::OptimizationLevel::O3).run(*module, mam);

  if (auto e = state_->jit->addIRModule(
          llvm::orc::ThreadSafeModule(std::move(module), std::move(context))))
    throw std::runtime_error("adding the kernel: " + llvm::toString(std::move(e)));
  auto symbol = unwrap(state_->jit->lookup(name), "looking up the kernel");
  return reinterpret_cast<void*>(symbol.getAddress());
}

} // namespace fiver::kernels
