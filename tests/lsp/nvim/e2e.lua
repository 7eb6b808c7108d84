-- Neovim as the client: starts 5rc-lsp through vim.lsp on a recipe with an
-- error, then checks the diagnostic's position, a hover card and completion.
-- Run: FIVER_LSP=... FIVER_STDLIB=... FIVER_RECIPE=... nvim --headless --clean -u NONE -c 'luafile e2e.lua'
local server = assert(os.getenv('FIVER_LSP'), 'FIVER_LSP is not set')
local stdlib = assert(os.getenv('FIVER_STDLIB'), 'FIVER_STDLIB is not set')
local recipe = assert(os.getenv('FIVER_RECIPE'), 'FIVER_RECIPE is not set')
local timeout_ms = 10000

local function finish(failure)
  if failure then
    io.stderr:write('nvim-e2e: FAIL: ' .. failure .. '\n')
    vim.cmd('cquit 1')
  end
  io.stdout:write('nvim-e2e: diagnostic, hover and completion as expected\n')
  vim.cmd('qall!')
end

local function request(buf, method, params)
  local replies, err = vim.lsp.buf_request_sync(buf, method, params, timeout_ms)
  if not replies then finish(method .. ': no reply (' .. tostring(err) .. ')') end
  for _, reply in pairs(replies) do
    if reply.err then finish(method .. ': ' .. vim.inspect(reply.err)) end
    return reply.result
  end
  finish(method .. ': no client answered')
end

local ok, failure = pcall(function()
  vim.cmd('edit ' .. vim.fn.fnameescape(recipe))
  local buf = vim.api.nvim_get_current_buf()
  vim.bo[buf].filetype = 'fiver'
  local client = vim.lsp.start_client({
    name = '5rc-lsp',
    cmd = { server },
    cmd_env = { FIVER_STDLIB = stdlib },
    root_dir = vim.fn.fnamemodify(recipe, ':p:h'),
    init_options = { stdlib = stdlib },
    flags = { debounce_text_changes = 0 },
  })
  if not client then finish('could not start ' .. server) end
  vim.lsp.buf_attach_client(buf, client)

  -- The diagnostic: E0200 on `reorder` of line 6 (0-based line 5, column 2).
  if not vim.wait(timeout_ms, function() return #vim.diagnostic.get(buf) > 0 end, 20) then
    finish('no diagnostics within ' .. timeout_ms .. ' ms')
  end
  local diags = vim.diagnostic.get(buf)
  if #diags ~= 1 then finish('expected 1 diagnostic, got ' .. vim.inspect(diags)) end
  local d = diags[1]
  if d.lnum ~= 5 or d.col ~= 2 then
    finish(('diagnostic at %d:%d, expected 5:2: %s'):format(d.lnum, d.col, d.message))
  end
  if d.severity ~= vim.diagnostic.severity.ERROR then finish('diagnostic is not an error') end
  if d.code ~= 'E0200' or not tostring(d.message):find("method 'ema'", 1, true) then
    finish('unexpected diagnostic ' .. vim.inspect(d))
  end

  local doc = { uri = vim.uri_from_bufnr(buf) }
  -- Hover on `ema` shows its method card with its declared triple.
  local hover = request(buf, 'textDocument/hover', { textDocument = doc, position = { line = 5, character = 43 } })
  local card = hover and hover.contents and (hover.contents.value or hover.contents) or ''
  if type(card) ~= 'string' or not card:find('method ema : retrofit model_parameters dynamic domain', 1, true) then
    finish('hover card: ' .. vim.inspect(hover))
  end

  -- Typing a triple on a new line, then completion at its end offers methods of that cell.
  local typed = '  retrofit model_parameters dynamic domain '
  vim.api.nvim_buf_set_lines(buf, 6, 6, false, { typed })
  local completion = request(buf, 'textDocument/completion',
    { textDocument = doc, position = { line = 6, character = #typed } })
  local items = completion and (completion.items or completion) or {}
  local labels = {}
  for _, item in ipairs(items) do labels[item.label] = true end
  if not (labels.ema and labels.swa) then finish('completion lacks ema/swa: ' .. vim.inspect(vim.tbl_keys(labels))) end

  vim.lsp.stop_client(client)
end)
if not ok then finish(tostring(failure)) end
finish(nil)
