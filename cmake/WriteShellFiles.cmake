# Writes the completion scripts and the manual page with the embtool just built, so that they
# describe exactly the commands it has:  cmake -DEMBTOOL=path/to/embtool -DOUT=dir -P this-file
foreach(required EMBTOOL OUT)
  if(NOT DEFINED ${required})
    message(FATAL_ERROR "WriteShellFiles.cmake needs -D${required}=...")
  endif()
endforeach()

function(write_output file)
  execute_process(COMMAND "${EMBTOOL}" ${ARGN} OUTPUT_FILE "${OUT}/${file}.tmp" RESULT_VARIABLE status)
  if(NOT status EQUAL 0)
    message(FATAL_ERROR "embtool ${ARGN} failed (${status})")
  endif()
  file(RENAME "${OUT}/${file}.tmp" "${OUT}/${file}")
endfunction()

file(MAKE_DIRECTORY "${OUT}/completions" "${OUT}/man")
write_output(completions/embtool completion bash)
write_output(completions/_embtool completion zsh)
write_output(completions/embtool.fish completion fish)
write_output(man/embtool.1 help --man)
