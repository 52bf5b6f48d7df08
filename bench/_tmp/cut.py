import json,sys
h=json.load(open('/tmp/qa2/fh.json'))
n=int(sys.argv[1])
h['events']=h['events'][:n]
json.dump(h,open('/tmp/qa2/cut.json','w'))
