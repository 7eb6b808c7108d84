#include "runtime/kernels/CpuOptimizerKernel.h"

#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/Intrinsics.h>
#include <llvm/IR/Module.h>

#include <vector>

namespace fiver::kernels {

namespace {

// Values of one element: loaded per slot, stored back per slot (nullptr:
// not written, as for the gradient).
using Slots = std::vector<llvm::Value*>;

class StepEmitter {
public:
  StepEmitter(llvm::IRBuilder<>& b, const CpuOptimizerSpec& spec, const Slots& scalars)
      : b_(b), spec_(spec), sc_(scalars) {}

  Slots emit(const Slots& in, llvm::Value* perTensor0, llvm::Value* perTensor1) {
    return spec_.kind == FusedOptimizerKind::AdamW ? adamw(in, perTensor0, perTensor1)
                                                   : sgd(in, perTensor0, perTensor1);
  }

private:
  // a * b + c with one rounding, as LibTorch's vectorized add(x, alpha).
  llvm::Value* fma(llvm::Value* a, llvm::Value* b, llvm::Value* c) {
    return b_.CreateIntrinsic(llvm::Intrinsic::fma, {b_.getFloatTy()}, {a, b, c});
  }

  // torch::optim::SGD: d = g + wd * p; buf = buf * momentum + (1 - dampening) * d;
  // d = nesterov ? d + momentum * buf : buf; p = p - lr * d.
  Slots sgd(const Slots& in, llvm::Value* bufferScale, llvm::Value* gradScale) {
    llvm::Value *p = in[0], *d = in[1];
    Slots out(in.size(), nullptr);
    if (spec_.weightDecay) d = fma(p, sc_[0], d);
    if (spec_.momentum) {
      llvm::Value* buf = fma(d, gradScale, b_.CreateFMul(in[2], bufferScale));
      out[2] = buf;
      d = spec_.nesterov ? fma(buf, sc_[1], d) : buf;
    }
    out[0] = fma(d, sc_[2], p);
    return out;
  }

  // torch::optim::AdamW: p *= 1 - lr * wd; m = m * b1 + (1 - b1) * g;
  // v = v * b2 + (1 - b2) * g * g; p += -stepSize * m / (sqrt(v) / sqrt(bc2) + eps).
  Slots adamw(const Slots& in, llvm::Value* negStepSize, llvm::Value* sqrtCorrection2) {
    llvm::Value *p = in[0], *g = in[1];
    if (spec_.weightDecay) p = b_.CreateFMul(p, sc_[0]);
    llvm::Value* m = fma(g, sc_[2], b_.CreateFMul(in[2], sc_[1]));
    llvm::Value* v =
        b_.CreateFAdd(b_.CreateFMul(in[3], sc_[3]), b_.CreateFMul(b_.CreateFMul(sc_[4], g), g));
    llvm::Value* sqrtV = b_.CreateUnaryIntrinsic(llvm::Intrinsic::sqrt, v);
    llvm::Value* denom = b_.CreateFAdd(b_.CreateFDiv(sqrtV, sqrtCorrection2), sc_[5]);
    llvm::Value* update = b_.CreateFDiv(b_.CreateFMul(negStepSize, m), denom);
    return {b_.CreateFAdd(p, update), nullptr, m, v};
  }

  llvm::IRBuilder<>& b_;
  const CpuOptimizerSpec& spec_;
  const Slots& sc_;
};

int scalarCount(const CpuOptimizerSpec& spec) {
  return spec.kind == FusedOptimizerKind::AdamW ? 6 : 3;
}

// for k in [0, count):                       (tensors of the group)
//   lo = max(begin, starts[k]), hi = min(end, starts[k + 1])
//   for j in [lo - starts[k], hi - starts[k]):   (the vectorized loop)
//     step element j of tensor k
void emitStepKernel(llvm::Module& module, const std::string& name, const CpuOptimizerSpec& spec) {
  llvm::LLVMContext& context = module.getContext();
  llvm::IRBuilder<> b(context);
  llvm::Type* f32 = b.getFloatTy();
  llvm::Type* i64 = b.getInt64Ty();
  llvm::Type* ptr = f32->getPointerTo();
  llvm::Type* ptrs = ptr->getPointerTo();
  llvm::Type* i64s = i64->getPointerTo();
  auto* type = llvm::FunctionType::get(b.getVoidTy(), {ptrs, i64s, ptr, ptr, i64, i64, i64}, false);
  auto* fn = llvm::Function::Create(type, llvm::Function::ExternalLinkage, name, module);
  auto arg = fn->arg_begin();
  llvm::Value *tensors = arg++, *starts = arg++, *perTensor = arg++, *scalarArray = arg++,
              *count = arg++, *begin = arg++, *end = arg++;
  for (unsigned i = 0; i < 4; ++i)
    fn->addParamAttr(i, llvm::Attribute::ReadOnly);

  auto* entry = llvm::BasicBlock::Create(context, "entry", fn);
  auto* tensorLoop = llvm::BasicBlock::Create(context, "tensor", fn);
  auto* tensorBody = llvm::BasicBlock::Create(context, "tensor.body", fn);
  auto* elementLoop = llvm::BasicBlock::Create(context, "element", fn);
  auto* tensorNext = llvm::BasicBlock::Create(context, "tensor.next", fn);
  auto* exit = llvm::BasicBlock::Create(context, "exit", fn);
  auto constant = [&](int64_t v) { return llvm::ConstantInt::get(i64, static_cast<uint64_t>(v)); };

  b.SetInsertPoint(entry);
  Slots scalars;
  for (int s = 0; s < scalarCount(spec); ++s)
    scalars.push_back(b.CreateLoad(f32, b.CreateConstInBoundsGEP1_64(f32, scalarArray, s)));
  b.CreateCondBr(b.CreateICmpSGT(count, constant(0)), tensorLoop, exit);

  b.SetInsertPoint(tensorLoop);
  llvm::PHINode* k = b.CreatePHI(i64, 2, "k");
  k->addIncoming(constant(0), entry);
  llvm::Value* first = b.CreateLoad(i64, b.CreateInBoundsGEP(i64, starts, k));
  llvm::Value* last = b.CreateLoad(
      i64, b.CreateInBoundsGEP(i64, starts, b.CreateAdd(k, constant(1), "", true, true)));
  llvm::Value* lo =
      b.CreateSub(b.CreateBinaryIntrinsic(llvm::Intrinsic::smax, begin, first), first);
  llvm::Value* hi = b.CreateSub(b.CreateBinaryIntrinsic(llvm::Intrinsic::smin, end, last), first);
  b.CreateCondBr(b.CreateICmpSLT(lo, hi), tensorBody, tensorNext);

  // Base pointers and per-tensor scalars are loaded once per tensor.
  b.SetInsertPoint(tensorBody);
  const int slots = spec.slots();
  std::vector<llvm::Value*> bases;
  llvm::Value* row = b.CreateMul(k, constant(slots), "", true, true);
  for (int s = 0; s < slots; ++s)
    bases.push_back(b.CreateLoad(
        ptr, b.CreateInBoundsGEP(ptr, tensors, b.CreateAdd(row, constant(s), "", true, true))));
  llvm::Value* pair = b.CreateMul(k, constant(2), "", true, true);
  llvm::Value* perTensor0 = b.CreateLoad(f32, b.CreateInBoundsGEP(f32, perTensor, pair));
  llvm::Value* perTensor1 = b.CreateLoad(
      f32, b.CreateInBoundsGEP(f32, perTensor, b.CreateAdd(pair, constant(1), "", true, true)));
  b.CreateBr(elementLoop);

  b.SetInsertPoint(elementLoop);
  llvm::PHINode* j = b.CreatePHI(i64, 2, "j");
  j->addIncoming(lo, tensorBody);
  Slots values;
  std::vector<llvm::Value*> addresses;
  for (llvm::Value* base : bases) {
    addresses.push_back(b.CreateInBoundsGEP(f32, base, j));
    values.push_back(b.CreateLoad(f32, addresses.back()));
  }
  Slots results = StepEmitter(b, spec, scalars).emit(values, perTensor0, perTensor1);
  for (size_t s = 0; s < results.size(); ++s)
    if (results[s]) b.CreateStore(results[s], addresses[s]);
  llvm::Value* nextJ = b.CreateAdd(j, constant(1), "", true, true);
  j->addIncoming(nextJ, elementLoop);
  b.CreateCondBr(b.CreateICmpSLT(nextJ, hi), elementLoop, tensorNext);

  b.SetInsertPoint(tensorNext);
  llvm::Value* nextK = b.CreateAdd(k, constant(1), "", true, true);
  k->addIncoming(nextK, tensorNext);
  b.CreateCondBr(b.CreateICmpSLT(nextK, count), tensorLoop, exit);

  b.SetInsertPoint(exit);
  b.CreateRetVoid();
}

} // namespace

CpuOptimizerFn compileCpuOptimizer(LlvmJit& jit, const CpuOptimizerSpec& spec) {
  return reinterpret_cast<CpuOptimizerFn>(
      jit.compileModule("fiver_optimizer_", [&](llvm::Module& module, const std::string& name) {
        emitStepKernel(module, name, spec);
      }));
}

} // namespace fiver::kernels
