# fiver_warnings(target): our own code builds with -Wall -Wextra; third-party
# headers are included as SYSTEM so their warnings stay out of our output.
function(fiver_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wno-unused-parameter)
endfunction()
