#include "runtime/kernels/LlvmJit.h"

#include <llvm/ADT/StringMap.h>
#include <llvm/Analysis/TargetLibraryInfo.h>
#include <llvm/ExecutionEngine/Orc/ExecutionUtils.h>
#include <llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h>
#include <llvm/ExecutionEngine/Orc/LLJIT.h>
#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/Intrinsics.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/LegacyPassManager.h>
#include <llvm/IR/Module.h>
#include <llvm/IR/Verifier.h>
#include <llvm/Passes/PassBuilder.h>
#include <llvm/Support/DynamicLibrary.h>
#include <llvm/Support/Host.h>
#include <llvm/Support/MemoryBuffer.h>
#include <llvm/Support/TargetSelect.h>
#include <llvm/Target/TargetMachine.h>

#include <cmath>
#include <mutex>
#include <stdexcept>
#include <utility>

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
      return exp(a[0]);
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
  // 1 / (1 + e^-x) with a reciprocal estimate refined by one Newton step
  // (within 2 ulp) instead of a full division, which would bound the loop's
  // speed. -x is clamped to [-87, 80]: e^-x then needs no range fix-ups and
  // 1 + e^-x stays finite, as the estimate needs; sigmoid(x) beyond those
  // bounds is 1, or below 2e-35, either way.
  llvm::Value* sigmoid(llvm::Value* x) {
    llvm::Value* one = llvm::ConstantFP::get(b_.getFloatTy(), 1.0);
    llvm::Value* t = clamp(b_.CreateFNeg(x), -87.0, 80.0);
    auto [p, n] = expParts(t);
    llvm::Value* s = b_.CreateFDiv(one, b_.CreateFAdd(one, b_.CreateFMul(p, pow2(n))));
    if (auto* div = llvm::dyn_cast<llvm::Instruction>(s)) {
      div->setHasAllowReciprocal(true);
      div->setHasNoInfs(true);
    }
    return s;
  }

  // exp(x) inline, so that loops using it vectorize at the host's full width
  // (libmvec offers LLVM 14 only 8-wide AVX2 calls). 2^n is applied in two
  // halves so that gradual underflow works; overflow gives +inf, NaN stays NaN.
  llvm::Value* exp(llvm::Value* x) {
    llvm::Value* hi = llvm::ConstantFP::get(b_.getFloatTy(), 88.72283935546875); // ln(FLT_MAX)
    // Below -104 the result is 0 even as a denormal.
    auto [p, n] = expParts(clamp(x, -104.0, 88.72283935546875));
    llvm::Value* half = b_.CreateAShr(n, 1);
    llvm::Value* y = b_.CreateFMul(b_.CreateFMul(p, pow2(half)), pow2(b_.CreateSub(n, half)));
    return b_.CreateSelect(b_.CreateFCmpOGT(x, hi), llvm::ConstantFP::getInfinity(b_.getFloatTy()),
                           y);
  }

  // e^x = p * 2^n for x in [-104, 88.8]: n = round(x log2 e), rounded by
  // adding 1.5 * 2^23 so that n's integer value is read from the low bits
  // (no conversion, and NaN needs no special case); r = x - n ln 2 in two
  // steps (Cody-Waite); p = e^r by Cephes' degree-6 polynomial (about 1 ulp).
  std::pair<llvm::Value*, llvm::Value*> expParts(llvm::Value* x) {
    llvm::Type* f32 = b_.getFloatTy();
    llvm::Type* i32 = b_.getInt32Ty();
    auto c = [&](double v) { return llvm::ConstantFP::get(f32, v); };
    llvm::Value* magic = c(12582912.0);
    llvm::Value* j = b_.CreateFAdd(b_.CreateFMul(x, c(1.44269504088896341)), magic);
    llvm::Value* n = b_.CreateFSub(j, magic);
    llvm::Value* r = b_.CreateFSub(x, b_.CreateFMul(n, c(0.693359375)));
    r = b_.CreateFSub(r, b_.CreateFMul(n, c(-2.12194440e-4)));
    llvm::Value* p = c(1.9875691500e-4);
    for (double coefficient :
         {1.3981999507e-3, 8.3334519073e-3, 4.1665795894e-2, 1.6666665459e-1, 5.0000001201e-1})
      p = b_.CreateFAdd(b_.CreateFMul(p, r), c(coefficient));
    p = b_.CreateFAdd(b_.CreateFAdd(b_.CreateFMul(p, b_.CreateFMul(r, r)), r), c(1.0));
    llvm::Value* ni = b_.CreateSub(b_.CreateBitCast(j, i32), b_.CreateBitCast(magic, i32));
    return {p, ni};
  }

  // 2^n for integer n in [-126, 127], built in the exponent bits.
  llvm::Value* pow2(llvm::Value* n) {
    llvm::Value* biased = b_.CreateAdd(n, llvm::ConstantInt::get(b_.getInt32Ty(), 127));
    return b_.CreateBitCast(b_.CreateShl(biased, 23), b_.getFloatTy());
  }

  // min(max(x, lo), hi); NaN stays NaN.
  llvm::Value* clamp(llvm::Value* x, double lo, double hi) {
    llvm::Value* l = llvm::ConstantFP::get(b_.getFloatTy(), lo);
    llvm::Value* h = llvm::ConstantFP::get(b_.getFloatTy(), hi);
    x = b_.CreateSelect(b_.CreateFCmpOLT(x, l), l, x);
    return b_.CreateSelect(b_.CreateFCmpOGT(x, h), h, x);
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
  std::string name;
  {
    std::lock_guard lock(state_->mutex);
    name = "fiver_fused_" + std::to_string(state_->counter++);
  }
  return loadObject(compileObject(expr, inputs, params, name), name);
}

std::string LlvmJit::compileObject(const Node& expr, int inputs, int params,
                                   const std::string& name) {
  return objectCode(name, [&](llvm::Module& module, const std::string& fn) {
    emitElementwiseKernel(module, fn, expr, inputs, params);
  });
}

CpuKernelFn LlvmJit::loadObject(const std::string& object, const std::string& name) {
  return reinterpret_cast<CpuKernelFn>(loadSymbol(object, name));
}

void* LlvmJit::compileModule(const std::string& prefix, const ModuleEmitter& emit) {
  std::string name;
  {
    std::lock_guard lock(state_->mutex);
    name = prefix + std::to_string(state_->counter++);
  }
  return loadSymbol(objectCode(name, emit), name);
}

std::string LlvmJit::objectCode(const std::string& name, const ModuleEmitter& emit) {
  std::lock_guard lock(state_->mutex);
  auto context = std::make_unique<llvm::LLVMContext>();
  auto module = std::make_unique<llvm::Module>("fiver_kernel", *context);
  module->setDataLayout(state_->jit->getDataLayout());
  module->setTargetTriple(state_->machine->getTargetTriple().str());
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

  // Object code from the same target machine the JIT would use, so it can be
  // cached on disk and loaded by a later process without recompiling.
  llvm::SmallVector<char, 0> object;
  llvm::raw_svector_ostream objectStream(object);
  llvm::legacy::PassManager codegen;
  if (state_->machine->addPassesToEmitFile(codegen, objectStream, nullptr, llvm::CGFT_ObjectFile))
    throw std::runtime_error("the host target cannot emit object code");
  codegen.run(*module);
  return std::string(object.begin(), object.end());
}

void* LlvmJit::loadSymbol(const std::string& object, const std::string& name) {
  std::lock_guard lock(state_->mutex);
  if (auto e = state_->jit->addObjectFile(llvm::MemoryBuffer::getMemBufferCopy(object, name)))
    throw std::runtime_error("adding the kernel: " + llvm::toString(std::move(e)));
  auto symbol = unwrap(state_->jit->lookup(name), "looking up the kernel");
  return reinterpret_cast<void*>(symbol.getAddress());
}

std::string LlvmJit::hostTarget() const {
  return state_->cpu + " " + state_->features + (state_->vectorMath ? " libmvec" : "");
}

std::string LlvmJit::compilerVersion() {
  // The suffix names the code generator's revision: bump it whenever the
  // generated code changes, so that cached objects from older builds miss.
  return "llvm-" LLVM_VERSION_STRING " fiver-cpu-4";
}

} // namespace fiver::kernels
