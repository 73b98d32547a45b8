(function(){
'use strict';
var q=document.getElementById('q'),st=document.getElementById('status'),out=document.getElementById('shown');
var tables=[].slice.call(document.querySelectorAll('table.data'));
function params(){var p=new URLSearchParams(location.search);var h=new URLSearchParams(location.hash.replace(/^#/,''));
h.forEach(function(v,k){p.set(k,v);});return p;}
function apply(){var text=q.value.trim().toLowerCase(),status=st.value,counts=[];
tables.forEach(function(t){var n=0,rows=t.tBodies[0].rows;
for(var i=0;i<rows.length;i++){var r=rows[i];var ok=(!status||r.getAttribute('data-status')===status)&&(!text||r.getAttribute('data-search').indexOf(text)>=0);
if(ok){r.removeAttribute('hidden');n++;}else{r.setAttribute('hidden','');}}
var none=t.closest('section').querySelector('.none');if(none){if(n===0){none.removeAttribute('hidden');}else{none.setAttribute('hidden','');}}
counts.push(n+' of '+rows.length+' '+t.id);});
out.textContent=(text||status)?'Showing '+counts.join(', '):'';}
function remember(){var p=new URLSearchParams();if(q.value.trim())p.set('q',q.value.trim());if(st.value)p.set('status',st.value);
var s=p.toString();history.replaceState(null,'',s?'#'+s:location.pathname+location.search);}
function sort(t,index,type,th){var dir=th.getAttribute('aria-sort')==='ascending'?-1:1;
[].forEach.call(t.tHead.rows[0].cells,function(c){c.setAttribute('aria-sort','none');});
th.setAttribute('aria-sort',dir===1?'ascending':'descending');
var body=t.tBodies[0],rows=[].slice.call(body.rows);
function key(r){var c=r.cells[index];var v=c.getAttribute('data-v');return type==='text'?c.textContent.trim().toLowerCase():Number(v);}
rows.sort(function(a,b){var x=key(a),y=key(b);var d=type==='text'?x.localeCompare(y):(x-y);return d*dir;});
rows.forEach(function(r){body.appendChild(r);});}
tables.forEach(function(t){[].forEach.call(t.tHead.rows[0].cells,function(th,i){
th.querySelector('button').addEventListener('click',function(){sort(t,i,th.getAttribute('data-type'),th);});});});
var p=params();if(p.get('q'))q.value=p.get('q');
if(p.get('status')){for(var i=0;i<st.options.length;i++){if(st.options[i].value===p.get('status'))st.value=p.get('status');}}
q.addEventListener('input',function(){apply();remember();});st.addEventListener('change',function(){apply();remember();});
window.addEventListener('hashchange',function(){var h=params();q.value=h.get('q')||'';st.value=h.get('status')||'';apply();});
apply();
})();
